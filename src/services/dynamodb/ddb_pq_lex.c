/* ddb_pq_lex.c: PartiQL's tokens (ddb_pq.h) for DynamoDB's dialect.
 *
 * ddb_pq_lex() splits a statement into keywords, identifiers (bare or "double quoted"),
 * 'single quoted' strings, numbers, `?` and operators, skipping blanks and comments (-- to the
 * end of the line, and / * ... * /). It knows no grammar: anything it cannot read becomes a
 * PQ_T_ERROR token at the place lexing stopped, which the parser reports with its position.
 * ddb_pq_keyword() says whether a word is one of PartiQL's reserved words, which DynamoDB
 * refuses as bare names ("PartiQL reserved words" in the developer guide: the SQL-92 words
 * plus PartiQL's own such as MISSING, PIVOT, BAG). Positions are 1-based lines and columns
 * counted in characters (UTF-8 sequences), so that messages match what an editor shows. */
#include <stdlib.h>
#include <string.h>

#include "services/dynamodb/ddb_pq.h"

/* PartiQL's reserved words, upper case and sorted for bsearch (a unit test checks the order).
 * END-EXEC is on the list too but cannot be lexed as one word, so it is left out. */
/* clang-format off */
static const char *const pq_reserved[] = {
    "ABSOLUTE", "ACTION", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE", "AS", "ASC",
    "ASSERTION", "AT", "AUTHORIZATION", "AVG", "BAG", "BEGIN", "BETWEEN", "BIT", "BIT_LENGTH",
    "BLOB", "BOOL", "BOOLEAN", "BOTH", "BY", "CAN_CAST", "CAN_LOSSLESS_CAST", "CASCADE",
    "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER", "CHARACTER_LENGTH",
    "CHAR_LENGTH", "CHECK", "CLOB", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN",
    "COMMIT", "CONNECT", "CONNECTION", "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT",
    "CORRESPONDING", "COUNT", "CREATE", "CROSS", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
    "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATE", "DATE_ADD", "DATE_DIFF", "DAY",
    "DEALLOCATE", "DEC", "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE",
    "DESC", "DESCRIBE", "DESCRIPTOR", "DIAGNOSTICS", "DISCONNECT", "DISTINCT", "DOMAIN",
    "DOUBLE", "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE",
    "EXISTS", "EXTERNAL", "EXTRACT", "FALSE", "FETCH", "FIRST", "FLOAT", "FOR", "FOREIGN",
    "FOUND", "FROM", "FULL", "GET", "GLOBAL", "GO", "GOTO", "GRANT", "GROUP", "HAVING", "HOUR",
    "IDENTITY", "IMMEDIATE", "IN", "INDEX", "INDICATOR", "INITIALLY", "INNER", "INPUT",
    "INSENSITIVE", "INSERT", "INT", "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS",
    "ISOLATION", "JOIN", "KEY", "LANGUAGE", "LAST", "LEADING", "LEFT", "LEVEL", "LIKE",
    "LIMIT", "LIST", "LOCAL", "LOWER", "MATCH", "MAX", "MIN", "MINUTE", "MISSING", "MODULE",
    "MONTH", "NAMES", "NATIONAL", "NATURAL", "NCHAR", "NEXT", "NO", "NOT", "NULL", "NULLIF",
    "NUMERIC", "OCTET_LENGTH", "OF", "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER",
    "OUTPUT", "OVERLAPS", "PAD", "PARTIAL", "PIVOT", "POSITION", "PRECISION", "PREPARE",
    "PRESERVE", "PRIMARY", "PRIOR", "PRIVILEGES", "PROCEDURE", "PUBLIC", "READ", "REAL",
    "REFERENCES", "RELATIVE", "REMOVE", "RESTRICT", "REVOKE", "RIGHT", "ROLLBACK", "ROWS",
    "SCHEMA", "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION", "SESSION_USER", "SET",
    "SEXP", "SIZE", "SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR", "SQLSTATE",
    "STRING", "STRUCT", "SUBSTRING", "SUM", "SYMBOL", "SYSTEM_USER", "TABLE", "TEMPORARY",
    "THEN", "TIME", "TIMESTAMP", "TIMEZONE_HOUR", "TIMEZONE_MINUTE", "TO", "TRAILING",
    "TRANSACTION", "TRANSLATE", "TRANSLATION", "TRIM", "TRUE", "TUPLE", "UNION", "UNIQUE",
    "UNKNOWN", "UNPIVOT", "UPDATE", "UPPER", "USAGE", "USER", "USING", "VALUE", "VALUES",
    "VARCHAR", "VARYING", "VIEW", "WHEN", "WHENEVER", "WHERE", "WITH", "WORK", "WRITE",
    "YEAR", "ZONE",
};
/* clang-format on */

#define PQ_MAX_WORD 32 /* longer than any reserved word */

struct lexer {
    struct arena *a;
    const char *s;
    size_t pos;            /* next byte to read */
    unsigned line, column; /* of s[pos] */
    struct pq_token *toks;
    size_t n, cap;
};

static bool
lex_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
lex_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
lex_is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool
lex_is_word_char(char c)
{
    return lex_is_word_start(c) || lex_is_digit(c);
}

static int
lex_cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool
ddb_pq_keyword(const char *word, size_t len)
{
    char up[PQ_MAX_WORD + 1];

    if (len == 0 || len > PQ_MAX_WORD)
        return false;
    for (size_t i = 0; i < len; i++)
        up[i] = (word[i] >= 'a' && word[i] <= 'z') ? (char)(word[i] - 'a' + 'A') : word[i];
    up[len] = '\0';
    return bsearch(up, pq_reserved, sizeof(pq_reserved) / sizeof(pq_reserved[0]),
                   sizeof(pq_reserved[0]), lex_cmp_word) != NULL;
}

/* Move past n bytes, keeping line and column (a column per character, not per byte). */
static void
lex_advance(struct lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->s[lx->pos]; i++, lx->pos++) {
        unsigned char c = (unsigned char)lx->s[lx->pos];

        if (c == '\n') {
            lx->line++;
            lx->column = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->column++;
        }
    }
}

/* Append a token starting here; text is copied into the arena. NULL without memory. */
static struct pq_token *
lex_push(struct lexer *lx, enum pq_tok_type type, const char *text, size_t len)
{
    struct pq_token *t;

    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? 2 * lx->cap : 32;
        struct pq_token *more = arena_alloc(lx->a, cap * sizeof(*more));

        if (!more)
            return NULL;
        if (lx->n)
            memcpy(more, lx->toks, lx->n * sizeof(*more));
        lx->toks = more;
        lx->cap = cap;
    }
    t = &lx->toks[lx->n];
    t->type = type;
    t->text = arena_strndup(lx->a, text, len);
    if (!t->text)
        return NULL;
    t->len = len;
    t->line = lx->line;
    t->column = lx->column;
    t->offset = lx->pos;
    lx->n++;
    return t;
}

/* Skip blanks and comments. -1 at an unterminated block comment (left at its start). */
static int
lex_skip(struct lexer *lx)
{
    for (;;) {
        const char *p = lx->s + lx->pos;

        if (lex_is_space(*p)) {
            lex_advance(lx, 1);
        } else if (p[0] == '-' && p[1] == '-') {
            size_t n = strcspn(p, "\n");

            lex_advance(lx, n);
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");

            if (!end)
                return -1;
            lex_advance(lx, (size_t)(end + 2 - p));
        } else {
            return 0;
        }
    }
}

/* A quoted string or identifier at s[pos] (q is the quote); a doubled quote stands for one.
 * Returns the unquoted text's token, or a PQ_T_ERROR holding the opening part if the quote
 * is never closed. */
static struct pq_token *
lex_quoted(struct lexer *lx, char q, enum pq_tok_type type)
{
    const char *start = lx->s + lx->pos;
    size_t i = 1, n = 0;
    char *text;
    struct pq_token *t;

    /* First pass: find the end and the unescaped length. */
    for (;;) {
        if (start[i] == '\0')
            return lex_push(lx, PQ_T_ERROR, start, i);
        if (start[i] == q) {
            if (start[i + 1] != q)
                break;
            i++;
        }
        i++;
        n++;
    }
    text = arena_alloc(lx->a, n + 1);
    if (!text)
        return NULL;
    n = 0;
    for (size_t j = 1; j < i; j++) {
        text[n++] = start[j];
        if (start[j] == q)
            j++;
    }
    text[n] = '\0';
    t = lex_push(lx, type, "", 0);
    if (!t)
        return NULL;
    t->text = text;
    t->len = n;
    lex_advance(lx, i + 1);
    return t;
}

/* A number: digits [. digits] [e [+|-] digits], as written (the sign is an operator). */
static size_t
lex_number_len(const char *p)
{
    size_t i = 0;

    while (lex_is_digit(p[i]))
        i++;
    if (p[i] == '.' && lex_is_digit(p[i + 1])) {
        i++;
        while (lex_is_digit(p[i]))
            i++;
    } else if (p[i] == '.' && !lex_is_word_start(p[i + 1])) {
        i++; /* "1." is a number too; "1.a" is not */
    }
    if ((p[i] == 'e' || p[i] == 'E') &&
        (lex_is_digit(p[i + 1]) ||
         ((p[i + 1] == '+' || p[i + 1] == '-') && lex_is_digit(p[i + 2])))) {
        i += 2;
        while (lex_is_digit(p[i]))
            i++;
    }
    return i;
}

/* Length of the operator at p, or 0 if p does not start one. Two-character ones first. */
static size_t
lex_op_len(const char *p)
{
    static const char *const two[] = {"<>", "!=", "<=", ">=", "<<", ">>"};

    for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
        if (p[0] == two[i][0] && p[1] == two[i][1])
            return 2;
    return (*p && strchr("=<>+-*/.,()[]{}:;", *p)) ? 1 : 0;
}

/* One token at s[pos] (not blank, not the end). NULL without memory. */
static struct pq_token *
lex_one(struct lexer *lx)
{
    const char *p = lx->s + lx->pos;
    struct pq_token *t;
    size_t n;

    if (*p == '\'')
        return lex_quoted(lx, '\'', PQ_T_STRING);
    if (*p == '"')
        return lex_quoted(lx, '"', PQ_T_QIDENT);
    if (lex_is_word_start(*p)) {
        for (n = 1; lex_is_word_char(p[n]); n++)
            ;
        if (ddb_pq_keyword(p, n)) {
            t = lex_push(lx, PQ_T_KEYWORD, p, n);
            if (t)
                for (char *c = (char *)t->text; *c; c++)
                    if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 'a' + 'A');
        } else {
            t = lex_push(lx, PQ_T_IDENT, p, n);
        }
    } else if (lex_is_digit(*p)) {
        n = lex_number_len(p);
        t = lex_push(lx, PQ_T_NUMBER, p, n);
    } else if (*p == '?') {
        n = 1;
        t = lex_push(lx, PQ_T_PARAM, p, n);
    } else if ((n = lex_op_len(p)) > 0) {
        t = lex_push(lx, PQ_T_OP, p, n);
    } else {
        /* A character PartiQL lacks: the whole UTF-8 sequence, for the message. */
        n = 1;
        while (((unsigned char)p[n] & 0xC0) == 0x80)
            n++;
        return lex_push(lx, PQ_T_ERROR, p, n);
    }
    if (t)
        lex_advance(lx, n);
    return t;
}

struct pq_token *
ddb_pq_lex(struct arena *a, const char *text, size_t *n_out)
{
    struct lexer lx = {.a = a, .s = text, .line = 1, .column = 1};

    for (;;) {
        struct pq_token *t;

        if (lex_skip(&lx) != 0) {
            /* An unterminated comment: an error token holding its opening. */
            if (!lex_push(&lx, PQ_T_ERROR, "/*", 2))
                return NULL;
            break;
        }
        if (text[lx.pos] == '\0') {
            if (!lex_push(&lx, PQ_T_END, "", 0))
                return NULL;
            break;
        }
        t = lex_one(&lx);
        if (!t)
            return NULL;
        if (t->type == PQ_T_ERROR)
            break;
    }
    *n_out = lx.n;
    return lx.toks;
}
