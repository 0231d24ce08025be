/* test_ddb_pq_parse.c: the PartiQL parser (ddb_pq_parse.c, ddb_pq_expr.c, ddb_pq_literal.c;
 * the lexer's own cases are in test_ddb_pq_lex.c). Statements are checked by the shape of the
 * tree they give, printed as one line (values as compact JSON), and failures by their whole
 * message. The statements are the developer guide's PartiQL examples (the Orders and Music
 * tables) and variations; messages are DynamoDB's as observed on AWS where known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "core/arena.h"
#include "services/dynamodb/ddb_pq.h"

#define PFX       "Statement wasn't well formed, can't be processed: "
#define COUNT_MSG "Number of parameters in request and statement don't match."

/* ---- printing statements ------------------------------------------------------------------ */

struct out {
    char s[4096];
    size_t n;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    o->n += (size_t)vsnprintf(o->s + o->n, sizeof(o->s) - o->n, fmt, ap);
    va_end(ap);
    assert_true(o->n < sizeof(o->s));
}

static void
put_json(struct out *o, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    assert_non_null(s);
    /* single quotes keep the expected strings readable: {'N':'1'} */
    for (char *c = s; *c; c++)
        if (*c == '"')
            *c = '\'';
    put(o, "%s", s);
    free(s);
}

/* Names joined with dots, indexes in brackets: the elements, not the text. */
static void
put_path(struct out *o, const struct ddb_path *p)
{
    assert_true(p->n > 0);
    assert_non_null(p->text);
    for (unsigned i = 0; i < p->n; i++) {
        if (p->e[i].name)
            put(o, "%s%s", i ? "." : "", p->e[i].name);
        else
            put(o, "[%u]", p->e[i].index);
    }
}

static const char *const cmp_names[] = {"=", "<>", "<", "<=", ">", ">="};

static void
put_expr(struct out *o, const struct pq_expr *e)
{
    assert_non_null(e);
    switch (e->type) {
    case PQ_E_PATH:
        put_path(o, &e->path);
        return;
    case PQ_E_VALUE:
        put_json(o, e->value);
        return;
    case PQ_E_CMP:
        put(o, "(%s", cmp_names[e->cmp]);
        break;
    case PQ_E_BETWEEN:
        put(o, "(BETWEEN");
        break;
    case PQ_E_IN:
        put(o, "(IN");
        break;
    case PQ_E_AND:
        put(o, "(AND");
        break;
    case PQ_E_OR:
        put(o, "(OR");
        break;
    case PQ_E_NOT:
        put(o, "(NOT");
        break;
    case PQ_E_IS:
        put(o, "(IS%s", e->negated ? " NOT" : "");
        put(o, " ");
        put_expr(o, e->args[0]);
        put(o, " %s)", e->is_null ? "NULL" : "MISSING");
        return;
    case PQ_E_FUNC:
        put(o, "(%s", e->fn);
        break;
    case PQ_E_PLUS:
        put(o, "(+");
        break;
    case PQ_E_MINUS:
        put(o, "(-");
        break;
    }
    for (unsigned i = 0; i < e->n_args; i++) {
        put(o, " ");
        put_expr(o, e->args[i]);
    }
    put(o, ")");
}

static const char *const ret_names[] = {"", " RETURNING ALL OLD", " RETURNING MODIFIED OLD",
                                        " RETURNING ALL NEW", " RETURNING MODIFIED NEW"};

static void
put_select(struct out *o, const struct pq_statement *s)
{
    put(o, " %s%s%s", s->table, s->index ? "." : "", s->index ? s->index : "");
    if (s->star) {
        assert_int_equal(s->n_proj, 0);
        put(o, " *");
    }
    for (unsigned i = 0; i < s->n_proj; i++) {
        put(o, "%s", i ? ", " : " [");
        put_path(o, &s->proj[i]);
        put(o, "%s", i + 1 == s->n_proj ? "]" : "");
    }
    if (s->where) {
        put(o, " WHERE ");
        put_expr(o, s->where);
    }
    for (unsigned i = 0; i < s->n_order; i++) {
        put(o, "%s", i ? ", " : " ORDER ");
        put_path(o, &s->order[i].key);
        put(o, " %s", s->order[i].desc ? "DESC" : "ASC");
    }
}

static void
put_statement(struct out *o, const struct pq_statement *s)
{
    assert_non_null(s->table);
    switch (s->kind) {
    case PQ_SELECT:
        put(o, "SELECT");
        put_select(o, s);
        break;
    case PQ_EXISTS:
        put(o, "%sEXISTS", s->negated ? "NOT " : "");
        put_select(o, s);
        break;
    case PQ_INSERT:
        put(o, "INSERT %s ", s->table);
        put_json(o, s->item);
        break;
    case PQ_UPDATE:
        put(o, "UPDATE %s", s->table);
        for (unsigned i = 0; i < s->n_sets; i++) {
            put(o, " %s ", s->sets[i].op == PQ_SET ? "SET" : "REMOVE");
            put_path(o, &s->sets[i].path);
            if (s->sets[i].op == PQ_SET) {
                put(o, "=");
                put_expr(o, s->sets[i].value);
            } else {
                assert_null(s->sets[i].value);
            }
        }
        /* fall through */
    case PQ_DELETE:
        if (s->kind == PQ_DELETE)
            put(o, "DELETE %s", s->table);
        if (s->where) {
            put(o, " WHERE ");
            put_expr(o, s->where);
        }
        put(o, "%s", ret_names[s->returning]);
        break;
    }
}

/* ---- running cases ------------------------------------------------------------------------ */

struct pq_case {
    const char *text;
    const char *params; /* JSON array, or NULL */
    bool exists;        /* allow_exists */
    const char *want;   /* printed tree, or the message when err */
    bool err;
};

#define OK(t, w)                                                                                   \
    {                                                                                              \
        t, NULL, false, w, false                                                                   \
    }
#define OKP(t, p, w)                                                                               \
    {                                                                                              \
        t, p, false, w, false                                                                      \
    }
#define OKX(t, w)                                                                                  \
    {                                                                                              \
        t, NULL, true, w, false                                                                    \
    }
#define BAD(t, w)                                                                                  \
    {                                                                                              \
        t, NULL, false, w, true                                                                    \
    }
#define BADP(t, p, w)                                                                              \
    {                                                                                              \
        t, p, false, w, true                                                                       \
    }
#define BADX(t, w)                                                                                 \
    {                                                                                              \
        t, NULL, true, w, true                                                                     \
    }

static void
run_cases(const struct pq_case *cases, size_t n)
{
    unsigned failed = 0;

    /* Every case runs and every mismatch is printed before the test fails. */
    for (size_t i = 0; i < n; i++) {
        const struct pq_case *c = &cases[i];
        struct arena a;
        struct pq_statement s;
        json_t *params = c->params ? json_loads(c->params, 0, NULL) : NULL;
        char err[1024] = "";
        struct out o = {.n = 0};
        int rc;

        assert_true(!c->params || params);
        arena_init(&a);
        rc = ddb_pq_parse(&a, c->text, params, c->exists, &s, err, sizeof(err));
        if (c->err) {
            if (rc != -1 || strcmp(err, c->want) != 0) {
                print_message("case: %s\n  want error: %s\n  got (%d): %s\n", c->text, c->want, rc,
                              err);
                failed++;
            }
            if (rc == 0)
                ddb_pq_statement_release(&s);
            assert_null(s.values); /* released */
        } else if (rc != 0) {
            print_message("case: %s\n  want: %s\n  got error: %s\n", c->text, c->want, err);
            failed++;
        } else {
            put_statement(&o, &s);
            if (strcmp(o.s, c->want) != 0) {
                print_message("case: %s\n  want: %s\n  got:  %s\n", c->text, c->want, o.s);
                failed++;
            }
            assert_true(json_is_array(s.values));
            ddb_pq_statement_release(&s);
            assert_null(s.values);
        }
        json_decref(params);
        arena_release(&a);
    }
    assert_int_equal(failed, 0);
}

/* ---- statements --------------------------------------------------------------------------- */

static const struct pq_case select_cases[] = {
    /* the developer guide's SELECT examples */
    OK("SELECT OrderID, Total FROM \"Orders\" WHERE OrderID IN [1, 2, 3] ORDER BY OrderID DESC",
       "SELECT Orders [OrderID, Total] WHERE (IN OrderID {'N':'1'} {'N':'2'} {'N':'3'}) "
       "ORDER OrderID DESC"),
    OK("SELECT * FROM \"Orders\" WHERE Total BETWEEN 500 AND 600",
       "SELECT Orders * WHERE (BETWEEN Total {'N':'500'} {'N':'600'})"),
    OK("SELECT * FROM \"Orders\" WHERE \"OrderID\" = 1 AND Size(\"Image\") > 1000",
       "SELECT Orders * WHERE (AND (= OrderID {'N':'1'}) (> (size Image) {'N':'1000'}))"),
    OK("SELECT * FROM \"Music\" WHERE Artist='No One You Know' AND SongTitle='Call Me Today'",
       "SELECT Music * WHERE (AND (= Artist {'S':'No One You Know'}) "
       "(= SongTitle {'S':'Call Me Today'}))"),
    OK("SELECT * FROM Music WHERE \"Awards\" is MISSING",
       "SELECT Music * WHERE (IS Awards MISSING)"),
    OK("SELECT * FROM \"Music\" WHERE \"Awards\" IS NOT MISSING AND Price IS NULL OR x IS NOT NULL",
       "SELECT Music * WHERE (OR (AND (IS NOT Awards MISSING) (IS Price NULL)) "
       "(IS NOT x NULL))"),
    OK("SELECT * FROM \"Orders\" WHERE attribute_type(\"Address\", 'M')",
       "SELECT Orders * WHERE (attribute_type Address {'S':'M'})"),
    OK("SELECT * FROM \"Orders\" WHERE \"OrderID\"=1 AND contains(\"Address\", 'Kirkland')",
       "SELECT Orders * WHERE (AND (= OrderID {'N':'1'}) (contains Address {'S':'Kirkland'}))"),
    OK("SELECT Address FROM \"Orders\" WHERE begins_with(\"Address\", '7834 24th')",
       "SELECT Orders [Address] WHERE (begins_with Address {'S':'7834 24th'})"),
    OK("SELECT * FROM \"Orders\".\"OrderDateIndex\" WHERE OrderDate >= '2020-01-01'",
       "SELECT Orders.OrderDateIndex * WHERE (>= OrderDate {'S':'2020-01-01'})"),
    OK("SELECT * FROM Orders.ix", "SELECT Orders.ix *"),
    OK("SELECT * FROM \"Music\"", "SELECT Music *"),
    /* paths in projections and conditions */
    OK("SELECT a.b, \"c d\".e[0], f[1][2].\"g\", h FROM t",
       "SELECT t [a.b, c d.e[0], f[1][2].g, h]"),
    OK("SELECT \"Select\", \"a.b\" FROM \"t\"", "SELECT t [Select, a.b]"),
    /* comparisons, precedence, parentheses */
    OK("SELECT * FROM t WHERE a <> 1 AND b != 2 AND c < 3 AND d <= 4 AND e > 5 AND f >= 6",
       "SELECT t * WHERE (AND (AND (AND (AND (AND (<> a {'N':'1'}) (<> b {'N':'2'})) "
       "(< c {'N':'3'})) (<= d {'N':'4'})) (> e {'N':'5'})) (>= f {'N':'6'}))"),
    OK("SELECT * FROM t WHERE a = 1 OR b = 2 AND NOT c = 3",
       "SELECT t * WHERE (OR (= a {'N':'1'}) (AND (= b {'N':'2'}) (NOT (= c {'N':'3'}))))"),
    OK("SELECT * FROM t WHERE (a = 1 OR b = 2) AND c = 3",
       "SELECT t * WHERE (AND (OR (= a {'N':'1'}) (= b {'N':'2'})) (= c {'N':'3'}))"),
    OK("SELECT * FROM t WHERE NOT NOT (a = 'x')", "SELECT t * WHERE (NOT (NOT (= a {'S':'x'})))"),
    OK("SELECT * FROM t WHERE 'x' = a", "SELECT t * WHERE (= {'S':'x'} a)"),
    OK("SELECT * FROM t WHERE a = b.c", "SELECT t * WHERE (= a b.c)"),
    OK("SELECT * FROM t WHERE pk IN ('a', 'b') OR pk NOT IN ['c']",
       "SELECT t * WHERE (OR (IN pk {'S':'a'} {'S':'b'}) (NOT (IN pk {'S':'c'})))"),
    OK("SELECT * FROM t WHERE n NOT BETWEEN -1 AND 1.50",
       "SELECT t * WHERE (NOT (BETWEEN n {'N':'-1'} {'N':'1.5'}))"),
    OK("SELECT * FROM t WHERE size(a.b) BETWEEN 1 AND size(c)",
       "SELECT t * WHERE (BETWEEN (size a.b) {'N':'1'} (size c))"),
    OK("SELECT * FROM t WHERE BEGINS_WITH(a, 'x') AND Contains(b, 1)",
       "SELECT t * WHERE (AND (begins_with a {'S':'x'}) (contains b {'N':'1'}))"),
    OK("SELECT * FROM t WHERE attribute_exists(a) AND attribute_not_exists(b)",
       "SELECT t * WHERE (AND (attribute_exists a) (attribute_not_exists b))"),
    /* ORDER BY */
    OK("SELECT * FROM t WHERE pk = 'a' ORDER BY sk",
       "SELECT t * WHERE (= pk {'S':'a'}) ORDER sk ASC"),
    OK("SELECT * FROM t WHERE pk = 'a' ORDER BY pk ASC, sk DESC",
       "SELECT t * WHERE (= pk {'S':'a'}) ORDER pk ASC, sk DESC"),
    /* keywords in any case, comments, a final semicolon, lines */
    OK("sElEcT * fRoM t wHeRe a = TRUE aNd b = false Or c Is nOt MiSsInG;",
       "SELECT t * WHERE (OR (AND (= a {'BOOL':true}) (= b {'BOOL':false})) "
       "(IS NOT c MISSING))"),
    OK("-- all of it\nSELECT /* every */ *\nFROM t -- table\n", "SELECT t *"),
};

static void
test_ddb_pq_parse__select(void **state)
{
    (void)state;
    run_cases(select_cases, ARRAY_SIZE(select_cases));
}

static const struct pq_case write_cases[] = {
    /* INSERT (the guide's examples) */
    OK("INSERT INTO \"Music\" value {'Artist' : 'Acme Band','SongTitle' : 'PartiQL Rocks'}",
       "INSERT Music {'Artist':{'S':'Acme Band'},'SongTitle':{'S':'PartiQL Rocks'}}"),
    OK("INSERT INTO Orders VALUE {'OrderID': 1, 'Total': 10.50, 'Tags': <<'a', 'b'>>, "
       "'Sizes': <<1, 2.0>>, 'Address': {'City': 'Seattle', 'Zip': '98101'}, "
       "'Items': [1, 'two', [3], {'x': NULL}], 'Paid': true, 'Note': NULL}",
       "INSERT Orders {'Address':{'M':{'City':{'S':'Seattle'},'Zip':{'S':'98101'}}},"
       "'Items':{'L':[{'N':'1'},{'S':'two'},{'L':[{'N':'3'}]},{'M':{'x':{'NULL':true}}}]},"
       "'Note':{'NULL':true},'OrderID':{'N':'1'},'Paid':{'BOOL':true},"
       "'Sizes':{'NS':['1','2']},'Tags':{'SS':['a','b']},'Total':{'N':'10.5'}}"),
    OK("INSERT INTO t VALUE {}", "INSERT t {}"),
    OK("insert into t value {'it''s': 'don''t', 'e': '', 'l': [], 'm': {}}",
       "INSERT t {'e':{'S':''},'it's':{'S':'don't'},'l':{'L':[]},'m':{'M':{}}}"),
    /* UPDATE (the guide's examples) */
    OK("UPDATE \"Music\" SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} "
       "WHERE Artist='Acme Band' AND SongTitle='PartiQL Rocks'",
       "UPDATE Music SET AwardsWon={'N':'1'} "
       "SET AwardDetail={'M':{'Grammys':{'L':[{'N':'2020'},{'N':'2018'}]}}} "
       "WHERE (AND (= Artist {'S':'Acme Band'}) (= SongTitle {'S':'PartiQL Rocks'}))"),
    OK("UPDATE \"Music\" SET AwardDetail.BillBoard=[2020] WHERE Artist='Acme Band'",
       "UPDATE Music SET AwardDetail.BillBoard={'L':[{'N':'2020'}]} "
       "WHERE (= Artist {'S':'Acme Band'})"),
    OK("UPDATE \"Music\" REMOVE AwardDetail.Grammys[2] WHERE Artist='Acme Band'",
       "UPDATE Music REMOVE AwardDetail.Grammys[2] WHERE (= Artist {'S':'Acme Band'})"),
    OK("UPDATE \"Music\" SET BandMembers=list_append(BandMembers, ['newmember']) "
       "WHERE Artist='Acme Band'",
       "UPDATE Music SET BandMembers=(list_append BandMembers {'L':[{'S':'newmember'}]}) "
       "WHERE (= Artist {'S':'Acme Band'})"),
    OK("UPDATE \"Music\" SET BandMembers=set_add(BandMembers, <<'newmember'>>) "
       "SET x = SET_DELETE(x, <<1>>) WHERE Artist='Acme Band'",
       "UPDATE Music SET BandMembers=(set_add BandMembers {'SS':['newmember']}) "
       "SET x=(set_delete x {'NS':['1']}) WHERE (= Artist {'S':'Acme Band'})"),
    OK("UPDATE \"Music\" SET AwardsWon=AwardsWon+1 WHERE Artist='Acme Band' RETURNING ALL NEW *",
       "UPDATE Music SET AwardsWon=(+ AwardsWon {'N':'1'}) WHERE (= Artist {'S':'Acme Band'}) "
       "RETURNING ALL NEW"),
    OK("UPDATE t SET a = if_not_exists(a, 0) - 2, b = 'x' REMOVE c, d[0] SET e = f "
       "WHERE pk = 'k' returning modified old *",
       "UPDATE t SET a=(- (if_not_exists a {'N':'0'}) {'N':'2'}) SET b={'S':'x'} REMOVE c "
       "REMOVE d[0] SET e=f WHERE (= pk {'S':'k'}) RETURNING MODIFIED OLD"),
    OK("UPDATE t SET a = list_append(if_not_exists(a, []), [1]) WHERE pk = 'k' "
       "RETURNING ALL OLD *",
       "UPDATE t SET a=(list_append (if_not_exists a {'L':[]}) {'L':[{'N':'1'}]}) "
       "WHERE (= pk {'S':'k'}) RETURNING ALL OLD"),
    OK("UPDATE t SET a = 1 WHERE pk = 'k' RETURNING MODIFIED NEW *",
       "UPDATE t SET a={'N':'1'} WHERE (= pk {'S':'k'}) RETURNING MODIFIED NEW"),
    OK("UPDATE t SET a = 1", "UPDATE t SET a={'N':'1'}"),
    /* DELETE */
    OK("DELETE FROM \"Music\" WHERE \"Artist\" = 'Acme Band' AND \"SongTitle\" = 'PartiQL Rocks'",
       "DELETE Music WHERE (AND (= Artist {'S':'Acme Band'}) (= SongTitle {'S':'PartiQL Rocks'}))"),
    OK("DELETE FROM t WHERE pk = 1 RETURNING ALL OLD *",
       "DELETE t WHERE (= pk {'N':'1'}) RETURNING ALL OLD"),
    OK("DELETE FROM t WHERE pk = 1 RETURNING ALL NEW *",
       "DELETE t WHERE (= pk {'N':'1'}) RETURNING ALL NEW"),
    OK("delete from t", "DELETE t"),
    /* EXISTS, only where allowed (ExecuteTransaction) */
    OKX("EXISTS(SELECT * FROM \"Music\" WHERE \"Artist\" = 'Acme Band' AND \"SongTitle\" = "
        "'PartiQL Rocks' AND Price > 1)",
        "EXISTS Music * WHERE (AND (AND (= Artist {'S':'Acme Band'}) "
        "(= SongTitle {'S':'PartiQL Rocks'})) (> Price {'N':'1'}))"),
    OKX("not exists (select * from t where pk = 'a' and x is missing);",
        "NOT EXISTS t * WHERE (AND (= pk {'S':'a'}) (IS x MISSING))"),
    BAD("EXISTS(SELECT * FROM t WHERE pk = 'a')",
        "EXISTS can only be used in ExecuteTransaction write requests."),
    BAD("NOT EXISTS(SELECT * FROM t WHERE pk = 'a')",
        "EXISTS can only be used in ExecuteTransaction write requests."),
    BADX("EXISTS(SELECT * FROM t WHERE pk = 'a'",
         PFX "Unexpected end of input at line 1, column 38"),
    BADX("EXISTS SELECT * FROM t", PFX "Unexpected keyword at line 1, column 8: SELECT"),
    BADX("EXISTS(UPDATE t SET a = 1)", PFX "Unexpected keyword at line 1, column 8: UPDATE"),
};

static void
test_ddb_pq_parse__writes(void **state)
{
    (void)state;
    run_cases(write_cases, ARRAY_SIZE(write_cases));
}

static const struct pq_case literal_cases[] = {
    OK("SELECT * FROM t WHERE a = 'x' AND b = 12 AND c = -1.5 AND d = 1e3 AND e = 0.0",
       "SELECT t * WHERE (AND (AND (AND (AND (= a {'S':'x'}) (= b {'N':'12'})) "
       "(= c {'N':'-1.5'})) (= d {'N':'1000'})) (= e {'N':'0'}))"),
    OK("SELECT * FROM t WHERE a = +7 AND b = - 2E-2 AND c = 100.00",
       "SELECT t * WHERE (AND (AND (= a {'N':'7'}) (= b {'N':'-0.02'})) (= c {'N':'100'}))"),
    OK("SELECT * FROM t WHERE a = 1. AND b = 007 AND c = 1.5e+2",
       "SELECT t * WHERE (AND (AND (= a {'N':'1'}) (= b {'N':'7'})) (= c {'N':'150'}))"),
    OK("SELECT * FROM t WHERE a = NULL AND b = true",
       "SELECT t * WHERE (AND (= a {'NULL':true}) (= b {'BOOL':true}))"),
    OK("UPDATE t SET a = {'l': [<<'x'>>, {'m': [[[]]]}], 'n': <<-1, 0.5>>} WHERE pk = 'k'",
       "UPDATE t SET a={'M':{'l':{'L':[{'SS':['x']},{'M':{'m':{'L':[{'L':[{'L':[]}]}]}}}]},"
       "'n':{'NS':['-1','0.5']}}} WHERE (= pk {'S':'k'})"),
    OK("SELECT * FROM t WHERE a IN [[1], {'k': 'v'}]",
       "SELECT t * WHERE (IN a {'L':[{'N':'1'}]} {'M':{'k':{'S':'v'}}})"),
    /* numbers follow DynamoDB's rules (ddb_value_check) */
    /* numbers follow DynamoDB's rules, and the message says where in the value: the literal
     * is the root, except in INSERT, where each attribute's value is */
    BAD("SELECT * FROM t WHERE a = 1e126",
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range under root"),
    BAD("SELECT * FROM t WHERE a = 1e-131",
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range under root"),
    BAD("INSERT INTO t VALUE {'a': 123456789012345678901234567890123456789}",
        "Attempting to store more than 38 significant digits in a Number under root"),
    BAD("INSERT INTO t VALUE {'pk': 970006, 'm': {'x': 1e126}}",
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range under root.x"),
    BAD("INSERT INTO t VALUE {'pk': 970007, 'l': [1, 1e126]}",
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range under root[1]"),
    BAD("UPDATE t SET a = {'m': [{'x': [0, -1e-131]}]} WHERE pk = 1",
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range under root.m[0].x[1]"),
    BAD("UPDATE t SET a = <<1, 1e126>> WHERE pk = 1",
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range under root[1]"),
    /* sets */
    BAD("INSERT INTO t VALUE {'a': <<>>}", "Empty bags are not supported"),
    BAD("INSERT INTO t VALUE {'a': <<true>>}",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("INSERT INTO t VALUE {'a': <<[1]>>}",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    /* one type in a bag, and only string or number literals (a `?` is not one) */
    BAD("INSERT INTO t VALUE {'a': <<'x', 1>>}",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("INSERT INTO t VALUE {'a': {'b': <<1.5, 'x'>>}}",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<-1, 'x'>>",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<'x', 2e1>>",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<NULL>>",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<{'a': 1}>>",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<'x', [1]>>",
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BAD("UPDATE t SET a = <<'x'", PFX "Unexpected end of input at line 1, column 23"),
    BAD("UPDATE t SET a = <<'x',", PFX "Unexpected end of input at line 1, column 24"),
    /* negative zero: refused as a decimal only */
    BAD("INSERT INTO t VALUE {'pk': 1, 'z': -0.0}",
        "Negative zero decimal is not supported under key root"),
    BAD("SELECT * FROM t WHERE a = [1, -0.00]",
        "Negative zero decimal is not supported under key root[1]"),
    OK("SELECT * FROM t WHERE a = -0 OR a = -0e0 OR a = 0.0",
       "SELECT t * WHERE (OR (OR (= a {'N':'0'}) (= a {'N':'0'})) (= a {'N':'0'}))"),
    /* a call where a value must be */
    BAD("INSERT INTO t VALUE {'pk': 'pq-fn-msg-insert', 'ss': set_add(<<'a'>>, <<'b'>>)}",
        "Unsupported data type: set_add under key root at 1:54:7"),
    BAD("INSERT INTO t VALUE {'a': <<'x', 'x'>>}",
        "One or more parameter values were invalid: Input collection [x, x] contains "
        "duplicates."),
    /* tuples */
    BAD("INSERT INTO t VALUE {'a': 1, 'a': 2}", "Duplicate keys in tuple. Key: a under root"),
    BAD("INSERT INTO t VALUE {'m': {'b': 1, 'b': 1}}",
        "Duplicate keys in tuple. Key: b under root"),
    BAD("SELECT * FROM t WHERE a = {'m': {'b': 1, 'b': 1}}",
        "Duplicate keys in tuple. Key: b under root.m"),
    BAD("INSERT INTO t VALUE {a: 1}", PFX "Unexpected term at line 1, column 22: a"),
    BAD("INSERT INTO t VALUE {'a' 1}", PFX "Unexpected term at line 1, column 26: 1"),
    BAD("INSERT INTO t VALUE {'a': 1,}", PFX "Unexpected token at line 1, column 29: }"),
    BAD("INSERT INTO t VALUE {'a': [1 2]}", PFX "Unexpected term at line 1, column 30: 2"),
    BAD("INSERT INTO t VALUE {'a': -'x'}", PFX "Unexpected term at line 1, column 28: 'x'"),
    BAD("INSERT INTO t VALUE {'a': MISSING}",
        PFX "Unexpected keyword at line 1, column 27: MISSING"),
};

static void
test_ddb_pq_parse__literals(void **state)
{
    (void)state;
    run_cases(literal_cases, ARRAY_SIZE(literal_cases));
}

static const struct pq_case param_cases[] = {
    /* every type, in order */
    OKP("INSERT INTO t VALUE {'s': ?, 'n': ?, 'b': ?, 'ss': ?, 'ns': ?, 'bs': ?, 'm': ?, "
        "'l': ?, 'nul': ?, 'bool': ?}",
        "[{\"S\":\"x\"},{\"N\":\"1.5\"},{\"B\":\"YQ==\"},{\"SS\":[\"a\"]},{\"NS\":[\"1\"]},"
        "{\"BS\":[\"YQ==\"]},{\"M\":{\"k\":{\"S\":\"v\"}}},{\"L\":[{\"N\":\"2\"}]},"
        "{\"NULL\":true},{\"BOOL\":false}]",
        "INSERT t {'b':{'B':'YQ=='},'bool':{'BOOL':false},'bs':{'BS':['YQ==']},"
        "'l':{'L':[{'N':'2'}]},'m':{'M':{'k':{'S':'v'}}},'n':{'N':'1.5'},'ns':{'NS':['1']},"
        "'nul':{'NULL':true},'s':{'S':'x'},'ss':{'SS':['a']}}"),
    OKP("SELECT * FROM t WHERE pk = ? AND sk BETWEEN ? AND ? AND x IN [?, ?]",
        "[{\"S\":\"a\"},{\"N\":\"1\"},{\"N\":\"9\"},{\"S\":\"p\"},{\"S\":\"q\"}]",
        "SELECT t * WHERE (AND (AND (= pk {'S':'a'}) (BETWEEN sk {'N':'1'} {'N':'9'})) "
        "(IN x {'S':'p'} {'S':'q'}))"),
    /* the whole tuple as one M parameter */
    OKP("INSERT INTO t VALUE ?", "[{\"M\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1\"}}}]",
        "INSERT t {'n':{'N':'1'},'pk':{'S':'a'}}"),
    /* parameters inside literals, sets of B */
    OKP("UPDATE t SET a = [?, {'k': ?}], b = ? WHERE pk = ?",
        "[{\"N\":\"1\"},{\"BOOL\":true},{\"BS\":[\"YQ==\",\"Yg==\"]},{\"S\":\"k\"}]",
        "UPDATE t SET a={'L':[{'N':'1'},{'M':{'k':{'BOOL':true}}}]} SET b={'BS':['YQ==','Yg==']} "
        "WHERE (= pk {'S':'k'})"),
    /* a set goes as one parameter: `?` is no member of a bag literal */
    BADP("UPDATE t SET b = <<?>> WHERE pk = 'k'", "[{\"S\":\"s\"}]",
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    OKP("UPDATE t SET a = set_add(a, ?) WHERE pk = ?", "[{\"SS\":[\"x\"]},{\"S\":\"k\"}]",
        "UPDATE t SET a=(set_add a {'SS':['x']}) WHERE (= pk {'S':'k'})"),
    /* a ? inside a string or a quoted name is text */
    OKP("SELECT \"a?\" FROM t WHERE b = '?'", "[]", "SELECT t [a?] WHERE (= b {'S':'?'})"),
    /* counts */
    BADP("SELECT * FROM t WHERE pk = ?", NULL, COUNT_MSG),
    BADP("SELECT * FROM t WHERE pk = ?", "[]", COUNT_MSG),
    BADP("SELECT * FROM t WHERE pk = ? AND sk = ?", "[{\"S\":\"a\"}]", COUNT_MSG),
    BADP("SELECT * FROM t WHERE pk = ?", "[{\"S\":\"a\"},{\"S\":\"b\"}]", COUNT_MSG),
    BADP("SELECT * FROM t", "[{\"S\":\"a\"}]", COUNT_MSG),
    /* a syntax error wins over the count, and the count over what the values break */
    BADP("SELECT * FROM t WHERE pk = ? AND", "[]",
         PFX "Missing right-hand side expression of infix operator at line 1, column 33"),
    BADP("SELECT * FROM t WHERE pk = ? AND x y", "[{\"S\":\"a\"},{\"S\":\"b\"}]",
         PFX "Unexpected token after expression at line 1, column 36: y"),
    BADP("INSERT INTO t VALUE ?", NULL, COUNT_MSG),
    BADP("SELECT * FROM t WHERE a = <<?>>", "[]", COUNT_MSG),
    BADP("SELECT * FROM t WHERE a = <<>>", "[{\"S\":\"a\"}]", COUNT_MSG),
    BADP("SELECT * FROM t WHERE a = 1e999 AND b = ?", NULL, COUNT_MSG),
    /* parameters of the wrong type */
    BADP("INSERT INTO t VALUE ?", "[{\"S\":\"a\"}]",
         "Unsupported format in item expression. Please use struct format {...} to express "
         "item values for insert statement."),
    BADP("SELECT * FROM t WHERE a = <<?>>", "[{\"BOOL\":true}]",
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
    BADP("SELECT * FROM t WHERE a = <<'x', ?>>", "[{\"S\":\"y\"}]",
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
};

static void
test_ddb_pq_parse__parameters(void **state)
{
    (void)state;
    run_cases(param_cases, ARRAY_SIZE(param_cases));
}

static const struct pq_case error_cases[] = {
    /* not a statement of DynamoDB's */
    BAD("CREATE TABLE t", PFX "Expected data manipulation at line 1, column 1: CREATE"),
    BAD("  Music", PFX "Expected data manipulation at line 1, column 3: Music"),
    BAD("UPSERT INTO t VALUE {'a': 1}",
        PFX "Expected data manipulation at line 1, column 1: UPSERT"),
    BAD("(SELECT * FROM t)", PFX "Expected data manipulation at line 1, column 1: ("),
    BAD("", PFX "Unexpected end of input at line 1, column 1"),
    BAD("  -- nothing", PFX "Unexpected end of input at line 1, column 13"),
    /* keywords where names belong, and the reverse */
    BAD("SELECT * FROM t WHERE pad = 'none'", PFX "Unexpected keyword at line 1, column 23: PAD"),
    BAD("SELECT * FROM Order", PFX "Unexpected keyword at line 1, column 15: ORDER"),
    BAD("SELECT * WHERE a = 1", PFX "Unexpected keyword at line 1, column 10: WHERE"),
    BAD("SELECT FROM t", PFX "Unexpected keyword at line 1, column 8: FROM"),
    BAD("SELECT * FROM t WHERE a = 1 ORDER sk", PFX "Unexpected term at line 1, column 35: sk"),
    BAD("SELECT * FROM t WHERE a IS STRING", PFX "Unexpected keyword at line 1, column 28: STRING"),
    BAD("SELECT * FROM t WHERE a BETWEEN 1 OR 2",
        PFX "Unexpected keyword at line 1, column 35: OR"),
    /* tokens and terms out of place */
    BAD("SELECT * FROM t WHERE a = = 1", PFX "Unexpected operator at line 1, column 27: ="),
    BAD("SELECT * FROM t WHERE pk = 'a' AND x IS FOO",
        PFX "Expected type name at line 1, column 41: FOO"),
    BAD("SELECT * FROM t WHERE IS NULL", PFX "Unexpected operator at line 1, column 23: IS"),
    BAD("SELECT * FROM t WHERE pk = LIKE", PFX "Unexpected operator at line 1, column 28: LIKE"),
    BAD("SELECT * FROM t WHERE AND a = 1", PFX "Unexpected operator at line 1, column 23: AND"),
    BAD("SELECT * FROM t WHERE a < > 1", PFX "Unexpected operator at line 1, column 27: >"),
    /* a condition cut short */
    BAD("SELECT * FROM t WHERE", PFX "Unexpected term at line 1, column 22"),
    BAD("SELECT * FROM t WHERE;", PFX "Unexpected term at line 1, column 22: ;"),
    BAD("SELECT * FROM t WHERE   ", PFX "Unexpected term at line 1, column 25"),
    BAD("SELECT pk FROM t WHERE NOT", PFX "Unexpected term at line 1, column 27"),
    BAD("SELECT pk FROM t WHERE (", PFX "Unexpected term at line 1, column 25"),
    BAD("UPDATE t SET a = 1 WHERE", PFX "Unexpected term at line 1, column 25"),
    BAD("SELECT * FROM t WHERE pk = 'p1' AND",
        PFX "Missing right-hand side expression of infix operator at line 1, column 36"),
    BAD("SELECT * FROM t WHERE pk = 'p1' OR",
        PFX "Missing right-hand side expression of infix operator at line 1, column 35"),
    BAD("SELECT * FROM t WHERE pk =",
        PFX "Missing right-hand side expression of infix operator at line 1, column 27"),
    BAD("SELECT * FROM t WHERE ORDER BY pk", PFX "Unexpected keyword at line 1, column 23: ORDER"),
    /* a token left over after a whole statement */
    BAD("SELECT * FROM t WHERE a = 1 b",
        PFX "Unexpected token after expression at line 1, column 29: b"),
    BAD("SELECT * FROM t WHERE pk = 1 e5",
        PFX "Unexpected token after expression at line 1, column 30: e5"),
    BAD("SELECT * FROM t WHERE pk = 1)",
        PFX "Unexpected token after expression at line 1, column 29: )"),
    BAD("INSERT INTO t VALUE {'pk': 970001} foo",
        PFX "Unexpected token after expression at line 1, column 36: foo"),
    BAD("UPDATE t SET a = 9 WHERE pk = 970002 foo",
        PFX "Unexpected token after expression at line 1, column 38: foo"),
    BAD("DELETE FROM t WHERE pk = 970003 foo",
        PFX "Unexpected token after expression at line 1, column 33: foo"),
    BAD("DELETE FROM t WHERE pk = 970004 ORDER BY pk",
        PFX "Unexpected token after expression at line 1, column 33: ORDER"),
    BAD("SELECT * FROM t ORDER BY pk WHERE pk = 1",
        PFX "Unexpected token after expression at line 1, column 29: WHERE"),
    BAD("INSERT INTO t t VALUE {'pk': 'x'}",
        PFX "Unexpected token after expression at line 1, column 15: t"),
    /* aliases */
    BAD("SELECT * FROM t t2", "Aliasing is not supported"),
    BAD("SELECT * FROM \"t\" AS t WHERE pk = 'x'", "Aliasing is not supported"),
    BAD("SELECT * FROM t.ix \"i\"", "Aliasing is not supported"),
    BAD("SELECT a AS b FROM t", "Aliasing is not supported"),
    BAD("SELECT a.b c FROM t", "Aliasing is not supported"),
    BAD("UPDATE \"t\" t SET a = 3 WHERE pk = 'x'", "Aliasing is not supported"),
    BAD("DELETE FROM \"t\" t WHERE pk = 'x'", "Aliasing is not supported"),
    /* no table */
    BAD("DELETE FROM", PFX "Expected identifier for simple path at line 1, column 12"),
    BAD("DELETE FROM   ", PFX "Expected identifier for simple path at line 1, column 15"),
    BAD("DELETE FROM;", PFX "Expected identifier for simple path at line 1, column 12: ;"),
    BAD("DELETE FROM WHERE pk = 'a'",
        PFX "Expected identifier for simple path at line 1, column 13: WHERE"),
    BAD("UPDATE SET a = 1", PFX "Expected identifier for simple path at line 1, column 8: SET"),
    BAD("INSERT INTO VALUE {'a': 1}",
        PFX "Expected identifier for simple path at line 1, column 13: VALUE"),
    BAD("SELECT * FROM", PFX "Unexpected term at line 1, column 14"),
    BAD("SELECT * FROM 'Music'", PFX "Unexpected term at line 1, column 15: 'Music'"),
    BAD("SELECT * FROM t; SELECT * FROM t",
        PFX "Unexpected token after expression at line 1, column 18: SELECT"),
    BAD("SELECT * FROM t WHERE a IN []",
        "IN operator must have a left hand argument of type Variable Reference and right hand "
        "argument of type Seq with at least one member"),
    BAD("SELECT * FROM t WHERE a IN 'x'", PFX "Unexpected term at line 1, column 28: 'x'"),
    BAD("SELECT * FROM t WHERE (a = 1", PFX "Unexpected end of input at line 1, column 29"),
    BAD("SELECT *\nFROM t\n  WHERE a = )", PFX "Unexpected token at line 3, column 13: )"),
    /* paths */
    BAD("SELECT a. FROM t", PFX "Invalid path dot component at line 1, column 11: FROM"),
    BAD("SELECT a.'b' FROM t", PFX "Invalid path dot component at line 1, column 10: 'b'"),
    BAD("SELECT a.[0] FROM t", PFX "Invalid path dot component at line 1, column 10: ["),
    BAD("SELECT * FROM t WHERE pk = 'a' AND attribute_exists(m.inner)",
        PFX "Invalid path dot component at line 1, column 55: INNER"),
    BAD("SELECT a.", PFX "Invalid path dot component at line 1, column 10"),
    BAD("SELECT a[x] FROM t", PFX "Unexpected term at line 1, column 10: x"),
    BAD("SELECT a[-1] FROM t", PFX "Unexpected token at line 1, column 10: -"),
    BAD("SELECT a[1.5] FROM t", PFX "Unexpected term at line 1, column 10: 1.5"),
    BAD("SELECT a[0 FROM t", PFX "Unexpected keyword at line 1, column 12: FROM"),
    BAD("SELECT \"\" FROM t", "Path component cannot be an empty string"),
    BAD("SELECT a.\"\" FROM t", "Path component cannot be an empty string"),
    BAD("SELECT * FROM \"t\".\"\" WHERE pk = 'p'", "Path component cannot be an empty string"),
    BAD("SELECT * FROM \"\" WHERE pk = 'p'", "Path component cannot be an empty string"),
    BAD("DELETE FROM \"\" WHERE pk = 'p'", "Path component cannot be an empty string"),
    BAD("SELECT *, a FROM t",
        "Other attributes should not be present in the projection when '*' is used."),
    BAD("SELECT * FROM a.b.c", "A path may contain at most 2 components in the FROM clause"),
    /* the lexer's errors */
    BAD("SELECT * FROM t WHERE a = 'open",
        PFX "Unexpected end of input at line 1, column 27: 'open"),
    BAD("SELECT * FROM \"open", PFX "Unexpected end of input at line 1, column 15: \"open"),
    BAD("SELECT * FROM t /* open", PFX "Unexpected end of input at line 1, column 17: /*"),
    BAD("SELECT * FROM t WHERE a = #b", PFX "Invalid character at line 1, column 27: #"),
    BAD("SELECT * FROM t WHERE a = `1`", PFX "Invalid character at line 1, column 27: `"),
    /* functions */
    BAD("SELECT * FROM t WHERE foo(a)", "Unrecognized function: foo at 1:23:3"),
    BAD("SELECT * FROM t WHERE list_append(a, b)", "Unrecognized function: list_append at 1:23:11"),
    BAD("SELECT * FROM t WHERE pk = 'a' AND EXISTS(ss)", "Unrecognized function: exists at 1:36:6"),
    BAD("SELECT * FROM t WHERE pk = 'a' AND set_add(ss, <<'x'>>) = ss",
        "Unrecognized function: set_add at 1:36:7"),
    BAD("UPDATE t SET a = begins_with(a, 'x')", "Unrecognized function: begins_with at 1:18:11"),
    BAD("SELECT attribute_exists(ss) FROM t WHERE pk = 'a'", "Unexpected path component at 1:8:16"),
    BAD("SELECT a, SIZE(b) FROM t", "Unexpected path component at 1:11:4"),
    /* arguments: their number, and a path where one is needed */
    BAD("SELECT * FROM t WHERE attribute_exists('ss')",
        "Operator or function requires a document path; operator or function: attribute_exists"),
    BADP("SELECT * FROM t WHERE attribute_not_exists(?)", "[{\"S\":\"ss\"}]",
         "Operator or function requires a document path; operator or function: "
         "attribute_not_exists"),
    BAD("SELECT * FROM t WHERE attribute_exists()",
        "Incorrect number of operands for operator or function; operator or function: "
        "attribute_exists, number of operands: 0"),
    BAD("SELECT * FROM t WHERE attribute_exists(ss, ns)",
        "Incorrect number of operands for operator or function; operator or function: "
        "attribute_exists, number of operands: 2"),
    BAD("SELECT * FROM t WHERE begins_with(a)",
        "Incorrect number of operands for operator or function; operator or function: "
        "begins_with, number of operands: 1"),
    BAD("SELECT * FROM t WHERE size(a, b) > 1",
        "Incorrect number of operands for operator or function; operator or function: size, "
        "number of operands: 2"),
    BAD("UPDATE t SET a = list_append(a) WHERE pk = 1",
        "Incorrect number of operands for operator or function; operator or function: "
        "list_append, number of operands: 1"),
    BAD("UPDATE t SET ss = set_add(ss) WHERE pk = 'a'",
        "SET_ADD must have exactly two arguments at 1:19:7"),
    BAD("UPDATE t SET ss = set_add(ss, <<'x'>>, <<'y'>>) WHERE pk = 'a'",
        "SET_ADD must have exactly two arguments at 1:19:7"),
    BAD("UPDATE t SET ss = Set_Delete() WHERE pk = 'a'",
        "SET_DELETE must have exactly two arguments at 1:19:10"),
    BAD("UPDATE t SET a = size(b)", "Unrecognized function: size at 1:18:4"),
    BAD("SELECT * FROM t WHERE NOT #", PFX "Invalid character at line 1, column 27: #"),
    BAD("SELECT * FROM t WHERE size(", PFX "Unexpected term at line 1, column 28"),
    BAD("SELECT * FROM t WHERE contains(a 'x')", PFX "Unexpected term at line 1, column 34: 'x'"),
    /* INSERT */
    BAD("INSERT INTO t VALUES {'a': 1}",
        "Unsupported operation: Inserting multiple items in a single statement is not "
        "supported, use \"INSERT INTO tableName VALUE item\" instead"),
    BAD("INSERT INTO t VALUE ['a']",
        "Unsupported format in item expression. Please use struct format {...} to express "
        "item values for insert statement."),
    BAD("INSERT INTO t VALUE {'a': 1} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"),
    BAD("INSERT t VALUE {'a': 1}", PFX "Unexpected term at line 1, column 8: t"),
    BAD("INSERT INTO t {'a': 1}", PFX "Unexpected token after expression at line 1, column 15: {"),
    BAD("INSERT INTO t", PFX "Unexpected end of input at line 1, column 14"),
    BAD("INSERT INTO t VALUE", PFX "Unexpected term at line 1, column 20"),
    /* UPDATE and DELETE */
    BAD("UPDATE t WHERE a = 1", PFX "Unexpected keyword at line 1, column 10: WHERE"),
    BAD("UPDATE t SET a = 1 ADD b 1",
        "Only SET and REMOVE are supported in update expressions at this time"),
    BAD("UPDATE t SET a WHERE pk = 1", PFX "Unexpected keyword at line 1, column 16: WHERE"),
    BAD("UPDATE t SET a = 1, WHERE pk = 1", PFX "Unexpected keyword at line 1, column 21: WHERE"),
    BAD("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL OLD",
        "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"),
    BAD("UPDATE t SET a = 1 WHERE pk = 1 RETURNING NEW *",
        PFX "Unexpected term at line 1, column 43: NEW"),
    BAD("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL ALL *",
        PFX "Unexpected keyword at line 1, column 47: ALL"),
    BAD("DELETE t WHERE pk = 1", PFX "Unexpected term at line 1, column 8: t"),
    BAD("DELETE FROM t WHERE", PFX "Unexpected term at line 1, column 20"),
};

static void
test_ddb_pq_parse__errors(void **state)
{
    (void)state;
    run_cases(error_cases, ARRAY_SIZE(error_cases));
}

/* Paths keep their text as written, for the planner's messages. */
static void
test_ddb_pq_parse__path_text(void **state)
{
    struct arena a;
    struct pq_statement s;
    char err[512];

    (void)state;
    arena_init(&a);
    assert_int_equal(ddb_pq_parse(&a,
                                  "SELECT a.\"b c\"[0][12].d, \"x\"\"y\" FROM t WHERE "
                                  "n . m = 1 ORDER BY \"o\"",
                                  NULL, false, &s, err, sizeof(err)),
                     0);
    assert_int_equal(s.n_proj, 2);
    assert_string_equal(s.proj[0].text, "a.\"b c\"[0][12].d");
    assert_int_equal(s.proj[0].n, 5);
    assert_string_equal(s.proj[0].e[1].name, "b c");
    assert_null(s.proj[0].e[2].name);
    assert_int_equal(s.proj[0].e[3].index, 12);
    assert_string_equal(s.proj[1].text, "\"x\"\"y\"");
    assert_string_equal(s.proj[1].e[0].name, "x\"y");
    assert_string_equal(s.where->args[0]->path.text, "n . m");
    assert_int_equal(s.where->line, 1);
    assert_int_equal(s.where->column, 46);
    assert_string_equal(s.order[0].key.text, "\"o\"");
    assert_int_equal(json_array_size(s.values), 1);
    ddb_pq_statement_release(&s);
    arena_release(&a);
}

/* Deep nesting fails cleanly instead of exhausting the stack. */
static void
test_ddb_pq_parse__nesting(void **state)
{
    struct arena a;
    struct pq_statement s;
    char err[512], text[4096];
    size_t n;

    (void)state;
    arena_init(&a);
    n = (size_t)snprintf(text, sizeof(text), "SELECT * FROM t WHERE a = ");
    for (int i = 0; i < 1000; i++)
        text[n++] = '[';
    text[n] = '\0';
    assert_int_equal(ddb_pq_parse(&a, text, NULL, false, &s, err, sizeof(err)), -1);
    assert_string_equal(err, PFX "Nesting too deep at line 1, column 227: [");
    /* 33 levels of lists: DynamoDB's own depth limit, from ddb_value_check */
    n = (size_t)snprintf(text, sizeof(text), "SELECT * FROM t WHERE a = ");
    for (int i = 0; i < 33; i++)
        text[n++] = '[';
    for (int i = 0; i < 33; i++)
        text[n++] = ']';
    text[n] = '\0';
    assert_int_equal(ddb_pq_parse(&a, text, NULL, false, &s, err, sizeof(err)), -1);
    print_message("33 levels: %s\n", err);
    assert_null(strstr(err, PFX));
    arena_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_pq_parse__select),
        cmocka_unit_test(test_ddb_pq_parse__writes),
        cmocka_unit_test(test_ddb_pq_parse__literals),
        cmocka_unit_test(test_ddb_pq_parse__parameters),
        cmocka_unit_test(test_ddb_pq_parse__errors),
        cmocka_unit_test(test_ddb_pq_parse__path_text),
        cmocka_unit_test(test_ddb_pq_parse__nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
