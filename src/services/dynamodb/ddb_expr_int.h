/* ddb_expr_int.h: what the expression lexer (ddb_expr_lex.c) hands the parser
 * (ddb_expr_parse.c). Private to those two files. */
#ifndef AWSLET_DDB_EXPR_INT_H
#define AWSLET_DDB_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

enum ddb_tok_type {
    TK_EOF,
    TK_NAME,     /* attribute name, keyword or function name: [A-Za-z_][A-Za-z0-9_]* */
    TK_HASH,     /* #name (expression attribute name) */
    TK_COLON,    /* :name (expression attribute value) */
    TK_NUM,      /* [0-9]+, only meaningful as a list index */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOT,
    TK_EQ,
    TK_NE,       /* <> */
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    TK_BAD,      /* anything else: one character (a whole UTF-8 sequence), a lone # or : */
};

struct ddb_tok {
    enum ddb_tok_type type;
    size_t off, len;        /* the token's bytes in the expression text */
};

/* The tokens of text, always ending with one TK_EOF (whose off is the text's length).
 * Lexing never fails on content (bad characters become TK_BAD for the parser to report);
 * -1 only when the arena is exhausted. */
int ddb_expr_lex(struct arena *arena, const char *text, struct ddb_tok **toks, unsigned *n);

#endif
