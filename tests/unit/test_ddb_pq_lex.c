/* test_ddb_pq_lex.c: PartiQL's tokens (ddb_pq_lex.c): kinds, texts as the parser sees them
 * (quotes removed and doubled quotes undone, keywords upper case), lines and columns in
 * characters, comments, where lexing stops; the reserved words; and ddb_pq_is_select(), the
 * dispatcher's cheap test of a statement's first word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "awslet.h"
#include "core/arena.h"
#include "services/dynamodb/ddb_pq.h"

/* ---- the lexer ---------------------------------------------------------------------------- */

struct tok_want {
    enum pq_tok_type type;
    const char *text;
    unsigned line, column;
};

static void
check_tokens(const char *text, const struct tok_want *want, size_t n_want)
{
    struct arena a;
    size_t n = 0;
    struct pq_token *t;

    print_message("lex: %s\n", text);
    arena_init(&a);
    t = ddb_pq_lex(&a, text, &n);
    assert_non_null(t);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        print_message("  token %zu: %s\n", i, t[i].text);
        assert_int_equal(t[i].type, want[i].type);
        assert_string_equal(t[i].text, want[i].text);
        assert_int_equal(t[i].len, strlen(want[i].text));
        assert_int_equal(t[i].line, want[i].line);
        assert_int_equal(t[i].column, want[i].column);
    }
    arena_release(&a);
}

#define CHECK_TOKENS(text, ...)                                                                    \
    do {                                                                                           \
        static const struct tok_want w_[] = {__VA_ARGS__};                                         \
        check_tokens(text, w_, ARRAY_SIZE(w_));                                                    \
    } while (0)

static void
test_ddb_pq_lex__tokens(void **state)
{
    (void)state;
    CHECK_TOKENS("select * FROM \"Music\" where Artist='No One''s'", {PQ_T_KEYWORD, "SELECT", 1, 1},
                 {PQ_T_OP, "*", 1, 8}, {PQ_T_KEYWORD, "FROM", 1, 10}, {PQ_T_QIDENT, "Music", 1, 15},
                 {PQ_T_KEYWORD, "WHERE", 1, 23}, {PQ_T_IDENT, "Artist", 1, 29},
                 {PQ_T_OP, "=", 1, 35}, {PQ_T_STRING, "No One's", 1, 36}, {PQ_T_END, "", 1, 47});
    /* doubled quotes in names, empty strings and names */
    CHECK_TOKENS("\"a\"\"b\" '' \"\"", {PQ_T_QIDENT, "a\"b", 1, 1}, {PQ_T_STRING, "", 1, 8},
                 {PQ_T_QIDENT, "", 1, 11}, {PQ_T_END, "", 1, 13});
    /* numbers as written; the sign is an operator */
    CHECK_TOKENS("12 -1.5 1e3 2.5E-7 0.0 7.", {PQ_T_NUMBER, "12", 1, 1}, {PQ_T_OP, "-", 1, 4},
                 {PQ_T_NUMBER, "1.5", 1, 5}, {PQ_T_NUMBER, "1e3", 1, 9},
                 {PQ_T_NUMBER, "2.5E-7", 1, 13}, {PQ_T_NUMBER, "0.0", 1, 20},
                 {PQ_T_NUMBER, "7.", 1, 24}, {PQ_T_END, "", 1, 26});
    /* every operator; two-character ones win */
    CHECK_TOKENS(
        "<<>><><=>=!==<>+-*/.,()[]{}:;?", {PQ_T_OP, "<<", 1, 1}, {PQ_T_OP, ">>", 1, 3},
        {PQ_T_OP, "<>", 1, 5}, {PQ_T_OP, "<=", 1, 7}, {PQ_T_OP, ">=", 1, 9}, {PQ_T_OP, "!=", 1, 11},
        {PQ_T_OP, "=", 1, 13}, {PQ_T_OP, "<>", 1, 14}, {PQ_T_OP, "+", 1, 16}, {PQ_T_OP, "-", 1, 17},
        {PQ_T_OP, "*", 1, 18}, {PQ_T_OP, "/", 1, 19}, {PQ_T_OP, ".", 1, 20}, {PQ_T_OP, ",", 1, 21},
        {PQ_T_OP, "(", 1, 22}, {PQ_T_OP, ")", 1, 23}, {PQ_T_OP, "[", 1, 24}, {PQ_T_OP, "]", 1, 25},
        {PQ_T_OP, "{", 1, 26}, {PQ_T_OP, "}", 1, 27}, {PQ_T_OP, ":", 1, 28}, {PQ_T_OP, ";", 1, 29},
        {PQ_T_PARAM, "?", 1, 30}, {PQ_T_END, "", 1, 31});
    CHECK_TOKENS("< <", {PQ_T_OP, "<", 1, 1}, {PQ_T_OP, "<", 1, 3}, {PQ_T_END, "", 1, 4});
    /* comments, lines, and columns counted in characters */
    CHECK_TOKENS("-- a comment\n  a.b[0] /* multi\nline */ 'é' x", {PQ_T_IDENT, "a", 2, 3},
                 {PQ_T_OP, ".", 2, 4}, {PQ_T_IDENT, "b", 2, 5}, {PQ_T_OP, "[", 2, 6},
                 {PQ_T_NUMBER, "0", 2, 7}, {PQ_T_OP, "]", 2, 8}, {PQ_T_STRING, "é", 3, 9},
                 {PQ_T_IDENT, "x", 3, 13}, {PQ_T_END, "", 3, 14});
    /* keywords are case-insensitive and upper-cased; other words stay as written */
    CHECK_TOKENS("Select vAlUe Artist _x$1 missing", {PQ_T_KEYWORD, "SELECT", 1, 1},
                 {PQ_T_KEYWORD, "VALUE", 1, 8}, {PQ_T_IDENT, "Artist", 1, 14},
                 {PQ_T_IDENT, "_x$1", 1, 21}, {PQ_T_KEYWORD, "MISSING", 1, 26},
                 {PQ_T_END, "", 1, 33});
    /* errors stop the lexer */
    CHECK_TOKENS("a 'open", {PQ_T_IDENT, "a", 1, 1}, {PQ_T_ERROR, "'open", 1, 3});
    CHECK_TOKENS("\"open", {PQ_T_ERROR, "\"open", 1, 1});
    CHECK_TOKENS("a /* open", {PQ_T_IDENT, "a", 1, 1}, {PQ_T_ERROR, "/*", 1, 3});
    CHECK_TOKENS("a # b", {PQ_T_IDENT, "a", 1, 1}, {PQ_T_ERROR, "#", 1, 3});
    CHECK_TOKENS("x = `1`", {PQ_T_IDENT, "x", 1, 1}, {PQ_T_OP, "=", 1, 3}, {PQ_T_ERROR, "`", 1, 5});
    CHECK_TOKENS("", {PQ_T_END, "", 1, 1});
    CHECK_TOKENS(" -- only a comment", {PQ_T_END, "", 1, 19});
}

static void
test_ddb_pq_lex__keywords(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "SELECT",
        "select",
        "Select",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "IS",
        "BETWEEN",
        "MISSING",
        "NULL",
        "TRUE",
        "false",
        "VALUE",
        "VALUES",
        "SET",
        "REMOVE",
        "INSERT",
        "INTO",
        "UPDATE",
        "DELETE",
        "EXISTS",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "SIZE",
        "ABSOLUTE",
        "ZONE",
        "YEAR",
        "DATE",
        "PAD",
        "COUNT",
        "KEY",
        "INDEX",
        "BAG",
        "PIVOT",
        "CHAR_LENGTH",
        "CHARACTER_LENGTH",
        "CURRENT_TIMESTAMP",
        "USER",
        "LIST",
        "TUPLE",
    };
    static const char *const no[] = {
        "",
        "Artist",
        "SongTitle",
        "name",
        "RETURNING",
        "MODIFIED",
        "NEW",
        "OLD",
        "begins_with",
        "contains",
        "attribute_type",
        "list_append",
        "set_add",
        "ABORT",
        "ZONES",
        "ABSOLUT",
        "status",
        "Orders",
        "OrderID",
        "END-EXEC",
        "ABSOLUTEABSOLUTEABSOLUTEABSOLUTEABSOLUTE",
    };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        print_message("reserved: %s\n", yes[i]);
        assert_true(ddb_pq_keyword(yes[i], strlen(yes[i])));
    }
    for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
        print_message("not reserved: %s\n", no[i]);
        assert_false(ddb_pq_keyword(no[i], strlen(no[i])));
    }
    assert_true(ddb_pq_keyword("settle", 3));
    assert_false(ddb_pq_keyword("settle", 4));
}

static void
test_ddb_pq_lex__is_select(void **state)
{
    (void)state;
    assert_true(ddb_pq_is_select("SELECT * FROM t"));
    assert_true(ddb_pq_is_select("select*from t"));
    assert_true(ddb_pq_is_select("  \n\tSeLeCt a FROM t"));
    assert_true(ddb_pq_is_select("-- read\nSELECT a FROM t"));
    assert_true(ddb_pq_is_select("/* read */ SELECT a FROM t"));
    assert_true(ddb_pq_is_select("(SELECT a FROM t)"));
    assert_true(ddb_pq_is_select("SELECT"));
    assert_false(ddb_pq_is_select("SELECTED a FROM t"));
    assert_false(ddb_pq_is_select("SELECT_x"));
    assert_false(ddb_pq_is_select("UPDATE t SET a = 'SELECT'"));
    assert_false(ddb_pq_is_select("INSERT INTO t VALUE {'a': 1}"));
    assert_false(ddb_pq_is_select("-- SELECT\nDELETE FROM t"));
    assert_false(ddb_pq_is_select("/* SELECT"));
    assert_false(ddb_pq_is_select("EXISTS(SELECT * FROM t)"));
    assert_false(ddb_pq_is_select("SELEC"));
    assert_false(ddb_pq_is_select(""));
    assert_false(ddb_pq_is_select(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_pq_lex__tokens),
        cmocka_unit_test(test_ddb_pq_lex__keywords),
        cmocka_unit_test(test_ddb_pq_lex__is_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
