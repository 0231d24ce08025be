/* ddb_expr_lex.c: split an expression into tokens. The lexer knows no grammar: keywords are
 * TK_NAME (the parser compares them case-insensitively, per expression kind), and anything
 * it does not recognise becomes a TK_BAD token so that the parser can report it exactly as
 * DynamoDB does: Syntax error; token: "-", near: "a-b". */
#include <string.h>

#include "services/dynamodb/ddb_expr_int.h"

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

/* Length of the UTF-8 sequence starting at s (1 for a stray byte), never past the end. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
    size_t n = 1;

    if (s[0] >= 0xF0)
        n = 4;
    else if (s[0] >= 0xE0)
        n = 3;
    else if (s[0] >= 0xC0)
        n = 2;
    if (n > left)
        n = left;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return i;
    return n;
}

/* One token starting at s[0] (not a space, not the end): its type and length. */
static enum ddb_tok_type
lex_one(const char *s, size_t left, size_t *len)
{
    size_t i = 1;

    switch (s[0]) {
    case '(': *len = 1; return TK_LPAREN;
    case ')': *len = 1; return TK_RPAREN;
    case '[': *len = 1; return TK_LBRACKET;
    case ']': *len = 1; return TK_RBRACKET;
    case ',': *len = 1; return TK_COMMA;
    case '.': *len = 1; return TK_DOT;
    case '=': *len = 1; return TK_EQ;
    case '+': *len = 1; return TK_PLUS;
    case '-': *len = 1; return TK_MINUS;
    case '<':
        if (left > 1 && s[1] == '>') {
            *len = 2;
            return TK_NE;
        }
        if (left > 1 && s[1] == '=') {
            *len = 2;
            return TK_LE;
        }
        *len = 1;
        return TK_LT;
    case '>':
        if (left > 1 && s[1] == '=') {
            *len = 2;
            return TK_GE;
        }
        *len = 1;
        return TK_GT;
    case '#':
    case ':':
        /* A placeholder is the sigil and at least one name character, digits first too
         * ("#4g", ":_"); a sigil alone is a token of its own that no rule accepts. */
        while (i < left && is_name_char(s[i]))
            i++;
        *len = i;
        if (i == 1)
            return TK_BAD;
        return s[0] == '#' ? TK_HASH : TK_COLON;
    default:
        break;
    }
    if (is_name_start(s[0])) {
        while (i < left && is_name_char(s[i]))
            i++;
        *len = i;
        return TK_NAME;
    }
    if (is_digit(s[0])) {
        while (i < left && is_digit(s[i]))
            i++;
        *len = i;
        return TK_NUM;
    }
    *len = utf8_len((const unsigned char *)s, left);
    return TK_BAD;
}

int
ddb_expr_lex(struct arena *arena, const char *text, struct ddb_tok **toks, unsigned *n)
{
    size_t size = strlen(text), off = 0, cap = 16;
    unsigned count = 0;
    struct ddb_tok *t = arena_alloc(arena, cap * sizeof(*t));

    if (!t)
        return -1;
    for (;;) {
        while (off < size && is_space(text[off]))
            off++;
        if (count == cap) {
            struct ddb_tok *bigger = arena_alloc(arena, 2 * cap * sizeof(*t));

            if (!bigger)
                return -1;
            memcpy(bigger, t, cap * sizeof(*t));
            t = bigger;
            cap *= 2;
        }
        t[count].off = off;
        if (off == size) {
            t[count].type = TK_EOF;
            t[count].len = 0;
            count++;
            break;
        }
        t[count].type = lex_one(text + off, size - off, &t[count].len);
        off += t[count].len;
        count++;
    }
    *toks = t;
    *n = count;
    return 0;
}
