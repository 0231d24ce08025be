/* test_ddb_expr_parse.c: the expression parser. Valid expressions are checked by the shape of
 * the tree they give (printed as an S-expression), invalid ones by DynamoDB's exact message;
 * the wording and the order in which DynamoDB reports problems come from the developer guide
 * and from messages AWS returned as quoted in public issue threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "awslet.h"
#include "core/arena.h"
#include "services/dynamodb/ddb_expr.h"

/* ---- printing trees ----------------------------------------------------------------------- */

struct out {
    char s[2048];
    size_t n;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    o->n += (size_t)vsnprintf(o->s + o->n, sizeof(o->s) - o->n, fmt, ap);
    va_end(ap);
    assert_true(o->n < sizeof(o->s));
}

static void
put_path(struct out *o, const struct ddb_path *p)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (p->e[i].name)
            put(o, "%s%s", i ? "." : "", p->e[i].name);
        else
            put(o, "[%u]", p->e[i].index);
    }
}

static const char *const fn_names[] = {
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with",
    "contains",         "size",                 "if_not_exists",  "list_append",
};
static const char *const cmp_names[] = {"=", "<>", "<", "<=", ">", ">="};

static void
put_node(struct out *o, const struct ddb_node *x)
{
    switch (x->type) {
    case DDB_N_PATH: put_path(o, &x->path); return;
    case DDB_N_VALUE: put(o, "%s", x->value_name); return;
    case DDB_N_CMP: put(o, "(%s", cmp_names[x->cmp]); break;
    case DDB_N_BETWEEN: put(o, "(BETWEEN"); break;
    case DDB_N_IN: put(o, "(IN"); break;
    case DDB_N_AND: put(o, "(AND"); break;
    case DDB_N_OR: put(o, "(OR"); break;
    case DDB_N_NOT: put(o, "(NOT"); break;
    case DDB_N_FUNC: put(o, "(%s", fn_names[x->fn]); break;
    case DDB_N_PLUS: put(o, "(+"); break;
    case DDB_N_MINUS: put(o, "(-"); break;
    }
    for (unsigned i = 0; i < x->n_args; i++) {
        put(o, " ");
        put_node(o, x->args[i]);
    }
    put(o, ")");
}

/* ---- fixtures ------------------------------------------------------------------------------- */

/* Names and values every case may use; a case may bring its own instead. */
static const char *const NAMES =
    "{\"#a\":\"a\",\"#b\":\"b\",\"#c\":\"c\",\"#n\":\"name\",\"#d\":\"[3]\",\"#dot\":\"x.y\"}";
static const char *const VALUES =
    "{\":x\":{\"S\":\"x\"},\":y\":{\"S\":\"y\"},\":z\":{\"S\":\"z\"},\":n\":{\"N\":\"1\"},"
    "\":b\":{\"B\":\"YQ==\"},\":ss\":{\"SS\":[\"a\"]},\":ns\":{\"NS\":[\"1\"]},"
    "\":l\":{\"L\":[]},\":m\":{\"M\":{}},\":t\":{\"BOOL\":true},\":nul\":{\"NULL\":true},"
    "\":tS\":{\"S\":\"S\"},\":tbad\":{\"S\":\"STRING\"}}";

struct fixture {
    struct arena arena;
    json_t *names, *values;
    struct ddb_expr_ctx ctx;
};

static void
fx_open(struct fixture *f, const char *names, const char *values)
{
    arena_init(&f->arena);
    f->names = names ? json_loads(names, 0, NULL) : NULL;
    f->values = values ? json_loads(values, 0, NULL) : NULL;
    assert_true(!names || f->names);
    assert_true(!values || f->values);
    ddb_expr_ctx_init(&f->ctx, &f->arena, f->names, f->values);
}

static void
fx_close(struct fixture *f)
{
    ddb_expr_ctx_release(&f->ctx);
    json_decref(f->names);
    json_decref(f->values);
    arena_release(&f->arena);
}

/* ---- conditions ----------------------------------------------------------------------------- */

struct cond_case {
    enum ddb_expr_kind kind;
    const char *text;
    const char *want; /* the tree, or the error message when err is true */
    bool err;
};

#define OK(k, t, w) {DDB_EXPR_##k, t, w, false}
#define BAD(k, t, w) {DDB_EXPR_##k, t, w, true}

static const struct cond_case cond_cases[] = {
    /* precedence: OR < AND < NOT < comparisons; left associative */
    OK(CONDITION, "a = :x OR b = :y AND NOT c = :z", "(OR (= a :x) (AND (= b :y) (NOT (= c :z))))"),
    OK(CONDITION, "a = :x AND b = :y OR c = :z", "(OR (AND (= a :x) (= b :y)) (= c :z))"),
    OK(CONDITION, "a = :x and b = :y and c = :z", "(AND (AND (= a :x) (= b :y)) (= c :z))"),
    OK(CONDITION, "a = :x OR b = :y OR c = :z", "(OR (OR (= a :x) (= b :y)) (= c :z))"),
    OK(CONDITION, "NOT a = :x AND b = :y", "(AND (NOT (= a :x)) (= b :y))"),
    OK(CONDITION, "not not a = :x", "(NOT (NOT (= a :x)))"),
    OK(CONDITION, "NOT (a = :x OR b = :y)", "(NOT (OR (= a :x) (= b :y)))"),
    OK(CONDITION, "(a = :x OR b = :y) AND c = :z", "(AND (OR (= a :x) (= b :y)) (= c :z))"),
    OK(CONDITION, "((a = :x) OR (b = :y))", "(OR (= a :x) (= b :y))"),
    /* every comparator, in both directions */
    OK(CONDITION, "a <> :x", "(<> a :x)"),
    OK(CONDITION, "a<:x", "(< a :x)"),
    OK(CONDITION, "a <= :x", "(<= a :x)"),
    OK(CONDITION, ":x > a", "(> :x a)"),
    OK(CONDITION, "a >= b", "(>= a b)"),
    OK(CONDITION, ":x = :x", "(= :x :x)"),
    /* BETWEEN and IN */
    OK(CONDITION, "a BETWEEN :x AND :y", "(BETWEEN a :x :y)"),
    OK(CONDITION, "a between :x and :y and b = :z", "(AND (BETWEEN a :x :y) (= b :z))"),
    OK(CONDITION, "(a)between(b.c.d)and(:x)", "(BETWEEN a b.c.d :x)"),
    OK(CONDITION, "a IN (:x)", "(IN a :x)"),
    OK(CONDITION, "a in (:x, :y,:z)", "(IN a :x :y :z)"),
    OK(CONDITION, "size(a) IN (:n, b)", "(IN (size a) :n b)"),
    /* functions */
    OK(CONDITION, "attribute_exists(a)", "(attribute_exists a)"),
    OK(CONDITION, "attribute_not_exists(#a.b[1])", "(attribute_not_exists a.b[1])"),
    OK(CONDITION, "attribute_type(a, :tS)", "(attribute_type a :tS)"),
    OK(CONDITION, "begins_with(a, :x)", "(begins_with a :x)"),
    OK(CONDITION, "begins_with(:x, a)", "(begins_with :x a)"),
    OK(CONDITION, "contains(a, :x) AND NOT contains(b, :n)",
       "(AND (contains a :x) (NOT (contains b :n)))"),
    OK(CONDITION, "size(a) > :n", "(> (size a) :n)"),
    OK(CONDITION, "size ( a ) >= size(b)", "(>= (size a) (size b))"),
    OK(CONDITION, "(size(a)) > :n", "(> (size a) :n)"),
    OK(CONDITION, "contains(a, (b))", "(contains a b)"),
    /* paths: names, #names, indexes, #names holding dots and brackets */
    OK(CONDITION, "a.b[2].#c = :x", "(= a.b[2].c :x)"),
    OK(CONDITION, "#n = :x", "(= name :x)"),
    OK(CONDITION, "#dot = :x", "(= x.y :x)"),
    OK(CONDITION, "#d[0][1] = :x", "(= [3][0][1] :x)"),
    OK(CONDITION, "a . b [ 10 ] = :x", "(= a.b[10] :x)"),
    OK(CONDITION, "_a1.B_2 = :x", "(= _a1.B_2 :x)"),
    OK(FILTER, "a = :x", "(= a :x)"),
    OK(KEY_CONDITION, "a = :x AND begins_with(b, :y)", "(AND (= a :x) (begins_with b :y))"),
    OK(KEY_CONDITION, "#a = :x and b between :x and :y", "(AND (= a :x) (BETWEEN b :x :y))"),
    OK(KEY_CONDITION, ":x = a", "(= :x a)"),

    /* empty */
    BAD(CONDITION, "", "Invalid ConditionExpression: The expression can not be empty;"),
    /* blanks are not empty: a syntax error at the end, near them */
    BAD(FILTER, "   ", "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"   \""),
    BAD(CONDITION, " a = ", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""),
    BAD(CONDITION, "  a > 4 ", "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4 \""),
    BAD(CONDITION, "  4 > a", "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"  4 >\""),
    BAD(KEY_CONDITION, "", "Invalid KeyConditionExpression: The expression can not be empty;"),
    /* syntax: the token, and from the token before it to the token after it */
    BAD(CONDITION, "a-b", "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"a-b\""),
    BAD(FILTER, "a-b", "Invalid FilterExpression: Syntax error; token: \"-\", near: \"a-b\""),
    BAD(KEY_CONDITION, "a-b",
        "Invalid KeyConditionExpression: Syntax error; token: \"-\", near: \"a-b\""),
    BAD(KEY_CONDITION, "a = :type",
        "Invalid KeyConditionExpression: An expression attribute value used in expression is "
        "not defined; attribute value: :type"),
    BAD(KEY_CONDITION, "a = :x AND b = ",
        "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""),
    BAD(KEY_CONDITION, "a = :x AND b = :y AND", 
        "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""),
    BAD(KEY_CONDITION, "begins_with()",
        "Invalid KeyConditionExpression: Syntax error; token: \")\", near: \"()\""),
    BAD(FILTER, "tenantAgent:abc123-x",
        "Invalid FilterExpression: Syntax error; token: \":abc123\", near: \"tenantAgent:abc123-\""),
    BAD(CONDITION, "a", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\""),
    BAD(CONDITION, "a > 4", "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\""),
    BAD(CONDITION, "a = = b", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = b\""),
    BAD(CONDITION, "a = :x b", "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":x b\""),
    BAD(CONDITION, "things are not gonna be ok",
        "Invalid ConditionExpression: Syntax error; token: \"are\", near: \"things are not\""),
    BAD(CONDITION, "a AND b = :x",
        "Invalid ConditionExpression: Syntax error; token: \"AND\", near: \"a AND b\""),
    BAD(CONDITION, "NOT a", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\""),
    BAD(CONDITION, "(a) AND b = :x",
        "Invalid ConditionExpression: Syntax error; token: \"AND\", near: \") AND b\""),
    BAD(CONDITION, "a = (b = :x)",
        "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"b = :x\""),
    BAD(CONDITION, "(a = :x) = :y",
        "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = :y\""),
    BAD(CONDITION, "a = set", "Invalid ConditionExpression: Syntax error; token: \"set\", near: \"= set\""),
    BAD(CONDITION, "Remove = :x", "Invalid ConditionExpression: Syntax error; token: \"Remove\", near: \"Remove =\""),
    BAD(CONDITION, "a > between",
        "Invalid ConditionExpression: Syntax error; token: \"between\", near: \"> between\""),
    BAD(CONDITION, "a in b", "Invalid ConditionExpression: Syntax error; token: \"b\", near: \"in b\""),
    BAD(CONDITION, "a in (b,c,)", "Invalid ConditionExpression: Syntax error; token: \")\", near: \",)\""),
    BAD(CONDITION, "a in b, c", "Invalid ConditionExpression: Syntax error; token: \"b\", near: \"in b,\""),
    BAD(CONDITION, "a BETWEEN :x OR :y",
        "Invalid ConditionExpression: Syntax error; token: \"OR\", near: \":x OR :y\""),
    BAD(CONDITION, "attribute_exists(Pictures-RearView)",
        "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"Pictures-RearView\""),
    BAD(CONDITION, "attribute_exists(\"Pictures.RearView\")",
        "Invalid ConditionExpression: Syntax error; token: \"\"\", near: \"(\"Pictures\""),
    BAD(CONDITION, "attribute_exists(Pictures..RearView)",
        "Invalid ConditionExpression: Syntax error; token: \".\", near: \"..RearView\""),
    BAD(CONDITION, "attribute_exists(Pi#ctures.RearView)",
        "Invalid ConditionExpression: Syntax error; token: \"#ctures\", near: \"Pi#ctures.\""),
    BAD(CONDITION, "attribute_exists(asdf[a])",
        "Invalid ConditionExpression: Syntax error; token: \"a\", near: \"[a]\""),
    BAD(CONDITION, "a.:a < b", "Invalid ConditionExpression: Syntax error; token: \":a\", near: \".:a <\""),
    BAD(CONDITION, "b[:a] > a", "Invalid ConditionExpression: Syntax error; token: \":a\", near: \"[:a]\""),
    BAD(CONDITION, "b[#_] > a", "Invalid ConditionExpression: Syntax error; token: \"#_\", near: \"[#_]\""),
    BAD(CONDITION, "b[4.5] > a", "Invalid ConditionExpression: Syntax error; token: \".\", near: \"4.5\""),
    BAD(CONDITION, "b[-1] > a", "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"[-1\""),
    BAD(CONDITION, "#$.b > a", "Invalid ConditionExpression: Syntax error; token: \"#\", near: \"#$\""),
    BAD(CONDITION, "\xc3\xbc > a",
        "Invalid ConditionExpression: Syntax error; token: \"\xc3\xbc\", near: \"\xc3\xbc >\""),
    BAD(CONDITION, "size(a).b > a", "Invalid ConditionExpression: Syntax error; token: \".\", near: \").b\""),
    BAD(CONDITION, "(size(a)).b > a", "Invalid ConditionExpression: Syntax error; token: \".\", near: \").b\""),
    BAD(CONDITION, "size(a)[0] > a", "Invalid ConditionExpression: Syntax error; token: \"[\", near: \")[0\""),
    BAD(CONDITION, "attribute_exists(car_id) AND NOT #n",
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"#n\""),
    BAD(CONDITION, "a != b", "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"a !=\""),
    BAD(CONDITION, "a = b + :n", "Invalid ConditionExpression: Syntax error; token: \"+\", near: \"b + :n\""),
    BAD(CONDITION, "a = :x)", "Invalid ConditionExpression: Syntax error; token: \")\", near: \":x)\""),
    BAD(CONDITION, "(a = :x", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":x\""),
    BAD(CONDITION, "a[99999999999] = :x",
        "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999]"),
    OK(CONDITION, "a[2147483647] = :x", "(= a[2147483647] :x)"),
    BAD(CONDITION, "a[2147483648] = :x",
        "Invalid ConditionExpression: List index is not within the allowable range; index: [2147483648]"),
    /* names and functions are checked in the order written */
    BAD(CONDITION, "views = foo(a)",
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: views"),
    BAD(CONDITION, "foo(views) = a", "Invalid ConditionExpression: Invalid function name; function: foo"),
    /* redundant parentheses, as soon as the outer pair closes */
    BAD(FILTER, "a=a and a > ((views))", "Invalid FilterExpression: The expression has redundant parentheses;"),
    BAD(FILTER, "(a)between(((b.c)).d)and(c)",
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    BAD(FILTER, "a > whatever((:things), ((a)))",
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    BAD(FILTER, "a=a AND ((a=a AND a=a)) AND a=a",
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    BAD(FILTER, "a=a OR ((a=a OR (a=a OR a=a)))",
        "Invalid FilterExpression: The expression has redundant parentheses;"),
    /* function names are case-sensitive */
    BAD(FILTER, "a=a and whatever((:things)) > a", "Invalid FilterExpression: Invalid function name; function: whatever"),
    BAD(FILTER, "attRIbute_exIsts((views), #a)",
        "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts"),
    /* functions in the wrong place */
    BAD(FILTER, "a=a and attribute_exists((views), (#a)) > b",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
    BAD(FILTER, "attribute_not_exists(things) > b",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_not_exists"),
    BAD(FILTER, "contains(:things, c) > b",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: contains"),
    BAD(FILTER, "size(contains(a, b)) > a",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: contains"),
    BAD(FILTER, "size(things)",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"),
    BAD(CONDITION, "a = :x AND NOT size(a)",
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
    BAD(FILTER, "a between b and attribute_exists(things)",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
    BAD(FILTER, "a in (b, attribute_exists(things))",
        "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
    /* reserved words, as written */
    BAD(FILTER, "attribute_exists(views, #a)",
        "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views"),
    BAD(FILTER, ":a < abOrT", "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT"),
    BAD(CONDITION, "a.b.Name = :x",
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name"),
    /* undefined #names and :values, in post-order, names and values alike */
    BAD(FILTER, "attribute_exists(#Pictures.RearView, :a) and a=a",
        "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #Pictures"),
    BAD(FILTER, "begins_with(Pictures.#RearView)",
        "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #RearView"),
    BAD(FILTER, "#4g > a",
        "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #4g"),
    BAD(FILTER, "(a)between(b.c[45].#zz)and(:a)",
        "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
    BAD(FILTER, "begins_with(:hello, #zz, #yy)",
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :hello"),
    BAD(FILTER, ":_ > a",
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :_"),
    /* operand counts */
    BAD(FILTER, "attribute_exists(things, a) and a=a",
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
    BAD(FILTER, "attribute_type(things)",
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1"),
    BAD(FILTER, "begins_with(things, size(a), b)",
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"),
    BAD(FILTER, "contains(things)",
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"),
    BAD(CONDITION, "begins_with(a)",
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"),
    BAD(FILTER, "size(things, a) > b",
        "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"),
    /* operand types known without an item */
    BAD(FILTER, "attribute_type(a, size(a)) and a=a and a=:n",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
    BAD(FILTER, "attribute_type(a, :l)",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: L"),
    BAD(FILTER, "begins_with(a, :n)",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    BAD(FILTER, "begins_with(:ss, a)",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"),
    BAD(FILTER, "size(size(a)) > :n",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"),
    BAD(FILTER, "attribute_not_exists(size(:n))",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"),
    BAD(FILTER, "size(:t) > a",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"),
    BAD(FILTER, "size(:nul) > a",
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: NULL"),
    BAD(FILTER, "attribute_type(a, :tbad)",
        "Invalid FilterExpression: Invalid attribute type name found; type: STRING, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"),
    BAD(CONDITION, "a < :t",
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
    BAD(CONDITION, ":m >= a",
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: M"),
    BAD(CONDITION, "a BETWEEN :x AND :ss",
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: SS"),
    OK(CONDITION, "a = :t AND b <> :nul AND c IN (:m, :l)", "(AND (AND (= a :t) (<> b :nul)) (IN c :m :l))"),
    BAD(CONDITION, "attribute_type(a, b)",
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
    BAD(CONDITION, "if_not_exists(a, :x) = :y",
        "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"),
    BAD(CONDITION, "contains(list_append(a, :l), :x)",
        "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append"),
    /* BETWEEN's bounds, when both are values */
    BAD(CONDITION, "a BETWEEN :n AND :x",
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"),
    BAD(CONDITION, "a BETWEEN :y AND :x",
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:y}, upper bound operand: AttributeValue: {S:x}"),
    OK(CONDITION, "a BETWEEN :x AND :x", "(BETWEEN a :x :x)"),
    /* operands that must be paths */
    BAD(FILTER, "attribute_exists(:x) and a=a",
        "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_exists"),
    BAD(FILTER, "attribute_not_exists(size(:x))",
        "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_not_exists"),
    /* operands that must differ */
    BAD(FILTER, "a = a AND #a = b AND :views > a",
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"),
    BAD(FILTER, "#a <> a",
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"),
    BAD(FILTER, "((a=a) OR (a=a))",
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"),
    BAD(FILTER, "contains(ab.bc[1].a, ab.bc[1].#a)",
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"),
    BAD(CONDITION, "a BETWEEN a AND :x",
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [a]"),
    BAD(CONDITION, "a IN (:x, #a)",
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [a]"),
    BAD(FILTER, "begins_with(ab.bc[1].a, ab.bc[1].#a)",
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [ab, bc, [1], a]"),
    /* key conditions: operators and shapes */
    BAD(KEY_CONDITION, "a = :x OR b = :y", "Invalid operator used in KeyConditionExpression: OR"),
    BAD(KEY_CONDITION, "a > b and size(b) > c or a > c", "Invalid operator used in KeyConditionExpression: OR"),
    BAD(KEY_CONDITION, "a in (b, size(c), d)", "Invalid operator used in KeyConditionExpression: IN"),
    BAD(KEY_CONDITION, "attribute_exists(a)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
    BAD(KEY_CONDITION, "attribute_type(a, :tS)", "Invalid operator used in KeyConditionExpression: attribute_type"),
    BAD(KEY_CONDITION, "contains(a.d, b)", "Invalid operator used in KeyConditionExpression: contains"),
    BAD(KEY_CONDITION, "not a > b", "Invalid operator used in KeyConditionExpression: NOT"),
    BAD(KEY_CONDITION, "a <> b", "Invalid operator used in KeyConditionExpression: <>"),
    BAD(KEY_CONDITION, ":x between size(b) and size(a) and b > :y",
        "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"),
    BAD(KEY_CONDITION, "begins_with(:x, b) and a > :y",
        "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"),
    BAD(KEY_CONDITION, "size(b) > a AND a.b > b AND b > c", "KeyConditionExpressions cannot contain nested operations"),
    BAD(KEY_CONDITION, "a > size(b.d)", "KeyConditionExpressions cannot contain nested operations"),
    BAD(KEY_CONDITION, "a between size(b) and size(a)", "KeyConditionExpressions cannot contain nested operations"),
    BAD(KEY_CONDITION, "b > a.b", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    BAD(KEY_CONDITION, "b between c[1] and d", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    BAD(KEY_CONDITION, "a between b and size(a)", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    BAD(KEY_CONDITION, "begins_with(a, b)", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    BAD(KEY_CONDITION, "b.d > a AND c.d > e.f", "KeyConditionExpressions cannot have conditions on nested attributes"),
    BAD(KEY_CONDITION, "b[0] > a", "KeyConditionExpressions cannot have conditions on nested attributes"),
    BAD(KEY_CONDITION, ":y > :x AND a < :y", "Invalid condition in KeyConditionExpression: No key attribute specified"),
    BAD(KEY_CONDITION, "b > :n AND b < :n and c = :n and d = :n",
        "KeyConditionExpressions must only contain one condition per key"),
    BAD(KEY_CONDITION, "(a > :n and b > :n) and (b > :n and c > :n)",
        "KeyConditionExpressions must only contain one condition per key"),
    BAD(KEY_CONDITION, "#a = :x and a = :y", "KeyConditionExpressions must only contain one condition per key"),
};

static void
test_ddb_expr_parse__conditions(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(cond_cases); i++) {
        const struct cond_case *c = &cond_cases[i];
        struct fixture f;
        struct ddb_node *x;
        struct out o = {.n = 0};

        print_message("case %zu: %s\n", i, c->text);
        fx_open(&f, NAMES, VALUES);
        x = ddb_expr_parse_condition(&f.ctx, c->kind, c->text);
        if (c->err) {
            assert_null(x);
            assert_string_equal(f.ctx.err, c->want);
        } else {
            if (!x)
                print_message("unexpected error: %s\n", f.ctx.err);
            assert_non_null(x);
            put_node(&o, x);
            assert_string_equal(o.s, c->want);
        }
        fx_close(&f);
    }
}

/* ---- updates -------------------------------------------------------------------------------- */

static void
put_update(struct out *o, const struct ddb_update *u)
{
    static const char *const ops[] = {"SET", "REMOVE", "ADD", "DELETE"};

    for (unsigned i = 0; i < u->n; i++) {
        put(o, "%s%s ", i ? "; " : "", ops[u->a[i].op]);
        put_path(o, &u->a[i].path);
        if (u->a[i].value) {
            put(o, " ");
            put_node(o, u->a[i].value);
        }
    }
}

static const struct cond_case update_cases[] = {
    OK(UPDATE, "SET a = :x", "SET a :x"),
    OK(UPDATE, "set a = b + :n, c = :n - b", "SET a (+ b :n); SET c (- :n b)"),
    OK(UPDATE, "SET a = list_append(a, :l)", "SET a (list_append a :l)"),
    OK(UPDATE, "SET a = if_not_exists(a, :n) + :n", "SET a (+ (if_not_exists a :n) :n)"),
    OK(UPDATE, "SET a = if_not_exists(a, if_not_exists(b, :n))",
       "SET a (if_not_exists a (if_not_exists b :n))"),
    OK(UPDATE, "SET a = (b + :n)", "SET a (+ b :n)"),
    OK(UPDATE, "set a = ((b.c.d)+(e))", "SET a (+ b.c.d e)"),
    OK(UPDATE, "SET a[1] = b, a[2] = c.d", "SET a[1] b; SET a[2] c.d"),
    OK(UPDATE, "SET a.b = b, a.c = b", "SET a.b b; SET a.c b"),
    OK(UPDATE, "REMOVE a, b[1], #c.d", "REMOVE a; REMOVE b[1]; REMOVE c.d"),
    OK(UPDATE, "ADD a :n, b :ss", "ADD a :n; ADD b :ss"),
    OK(UPDATE, "DELETE s :ss", "DELETE s :ss"),
    OK(UPDATE, "remove x set a = :x add n :n delete s :ns",
       "REMOVE x; SET a :x; ADD n :n; DELETE s :ns"),
    OK(UPDATE, "SET #n = :x", "SET name :x"),

    BAD(UPDATE, "", "Invalid UpdateExpression: The expression can not be empty;"),
    BAD(UPDATE, "INVALID SYNTAX HERE",
        "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\""),
    BAD(UPDATE, "ADD hits : incr", "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\""),
    BAD(UPDATE, "SET a = :x, #,", "Invalid UpdateExpression: Syntax error; token: \"#\", near: \", #,\""),
    BAD(UPDATE, "SET", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""),
    BAD(UPDATE, "set a", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"a\""),
    BAD(UPDATE, "set a = and", "Invalid UpdateExpression: Syntax error; token: \"and\", near: \"= and\""),
    BAD(UPDATE, "set a=set", "Invalid UpdateExpression: Syntax error; token: \"set\", near: \"=set\""),
    BAD(UPDATE, "remove a = b", "Invalid UpdateExpression: Syntax error; token: \"=\", near: \"a = b\""),
    BAD(UPDATE, "delete a b", "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\""),
    BAD(UPDATE, "add a if_not_exists(b)",
        "Invalid UpdateExpression: Syntax error; token: \"if_not_exists\", near: \"a if_not_exists(\""),
    BAD(UPDATE, "set :a = b", "Invalid UpdateExpression: Syntax error; token: \":a\", near: \"set :a =\""),
    BAD(UPDATE, "set a = b / c", "Invalid UpdateExpression: Syntax error; token: \"/\", near: \"b / c\""),
    BAD(UPDATE, "set a[1] = 1", "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"= 1\""),
    BAD(UPDATE, "SET if_not_exists(a, b) = a",
        "Invalid UpdateExpression: Syntax error; token: \"(\", near: \"if_not_exists(a\""),
    BAD(UPDATE, "set (a = (b + c))", "Invalid UpdateExpression: Syntax error; token: \"(\", near: \"set (a\""),
    BAD(UPDATE, "set a = (b.c).d + e", "Invalid UpdateExpression: Syntax error; token: \".\", near: \").d\""),
    BAD(UPDATE, "set a = b + c + d", "Invalid UpdateExpression: Syntax error; token: \"+\", near: \"c + d\""),
    BAD(UPDATE, "SET a = :x AND b = :y", "Invalid UpdateExpression: Syntax error; token: \"AND\", near: \":x AND b\""),
    BAD(UPDATE, "set a = ((b))", "Invalid UpdateExpression: The expression has redundant parentheses;"),
    BAD(UPDATE, "set #c = if_not_exist(:c) set c = d", "Invalid UpdateExpression: Invalid function name; function: if_not_exist"),
    BAD(UPDATE, "set a = size(b)",
        "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
    BAD(UPDATE, "set a = :x, b = begins_with(a, :x)",
        "Invalid UpdateExpression: The function is not allowed in an update expression; function: begins_with"),
    BAD(UPDATE, " set #c = :c set abOrt = true ",
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"),
    BAD(UPDATE, "SET a = :x SET b = :y REMOVE views",
        "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
    BAD(UPDATE, "SET a = :x SET b = foo(c)", "Invalid UpdateExpression: Invalid function name; function: foo"),
    BAD(UPDATE, "SET a = if_not_exists(b, list_append(c, :l))",
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
    BAD(UPDATE, "SET a = list_append(a, :l) + :n",
        "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
    OK(UPDATE, "SET a = list_append(if_not_exists(a, :l), :l)", "SET a (list_append (if_not_exists a :l) :l)"),
    BAD(UPDATE, " remove Absolute ", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute"),
    BAD(UPDATE, "set a = #c set c = :x", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
    BAD(UPDATE, "remove #c set a = b remove e", "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;"),
    BAD(UPDATE, "ADD x :n SET a = :x ADD y :n", "Invalid UpdateExpression: The \"ADD\" section can only be used once in an update expression;"),
    BAD(UPDATE, "delete #c :ss set a = b delete e :ss", "Invalid UpdateExpression: The \"DELETE\" section can only be used once in an update expression;"),
    BAD(UPDATE, "SET #zz = if_not_exists(:zz)",
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
    BAD(UPDATE, "SET #a = if_not_exists(:zz)",
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :zz"),
    /* paths go into one tree in order: the first problem met is reported */
    BAD(UPDATE, "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [d, [1]], path two: [d, b]"),
    BAD(UPDATE, "set c[1].a = a, #c = if_not_exists(a)",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"),
    BAD(UPDATE, "remove a, #c, a, #d",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [a]"),
    BAD(UPDATE, "set c.b.#c = a, c = a, #d = a",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, b, c], path two: [c]"),
    BAD(UPDATE, "set a = b remove a, #c, #d",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
    BAD(UPDATE, "set #c[3].#d = a, #c[3] = a",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"),
    BAD(UPDATE, "remove c, #c.a, #d",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c], path two: [c, a]"),
    BAD(UPDATE, "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)",
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"),
    BAD(UPDATE, "remove a.#c set a[1] = #d",
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"),
    BAD(UPDATE, "set b = list_append(:x, a), c = if_not_exists(a) add a.b :x",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    BAD(UPDATE, "delete a.b :x", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    BAD(UPDATE, "add a.b :nul", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    BAD(UPDATE, "add a.b :t", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    BAD(UPDATE, "delete a.b :b", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: BINARY, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    BAD(UPDATE, "add a.b :m", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    BAD(UPDATE, "add a.b :l", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    BAD(UPDATE, "delete a.b :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    BAD(UPDATE, "set a = if_not_exists(c)",
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"),
    BAD(UPDATE, "set a = list_append(c)",
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"),
    BAD(UPDATE, "set a = if_not_exists(:x, c)",
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
    BAD(UPDATE, "set a = if_not_exists(if_not_exists(a, b), c)",
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
    BAD(UPDATE, "set a = if_not_exists(b, #b)",
        "Invalid UpdateExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [b]"),
    BAD(UPDATE, "set a = list_append(:x, a)",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
    BAD(UPDATE, "set a = list_append(a, :n)",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"),
    BAD(UPDATE, "set a = a + :x",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
    BAD(UPDATE, "set a = :x + :b",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
    BAD(UPDATE, "set a = :b - a",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: B"),
    BAD(UPDATE, "set a = a - :l",
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: L"),
};

static void
test_ddb_expr_parse__updates(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(update_cases); i++) {
        const struct cond_case *c = &update_cases[i];
        struct fixture f;
        struct ddb_update *u;
        struct out o = {.n = 0};

        print_message("case %zu: %s\n", i, c->text);
        fx_open(&f, NAMES, VALUES);
        u = ddb_expr_parse_update(&f.ctx, c->text);
        if (c->err) {
            assert_null(u);
            assert_string_equal(f.ctx.err, c->want);
        } else {
            if (!u)
                print_message("unexpected error: %s\n", f.ctx.err);
            assert_non_null(u);
            put_update(&o, u);
            assert_string_equal(o.s, c->want);
        }
        fx_close(&f);
    }
}

/* ---- projections ---------------------------------------------------------------------------- */

static const struct cond_case projection_cases[] = {
    OK(PROJECTION, "a", "a"),
    OK(PROJECTION, "a, b.c[1], #n, #d[2]", "a, b.c[1], name, [3][2]"),
    OK(PROJECTION, "a[1], a[2], b.x[1], b.y", "a[1], a[2], b.x[1], b.y"),

    BAD(PROJECTION, "", "Invalid ProjectionExpression: The expression can not be empty;"),
    BAD(PROJECTION, "!!", "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\""),
    BAD(PROJECTION, "a b", "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\""),
    BAD(PROJECTION, "a,", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""),
    BAD(PROJECTION, "l[a]", "Invalid ProjectionExpression: Syntax error; token: \"a\", near: \"[a]\""),
    BAD(PROJECTION, ":x", "Invalid ProjectionExpression: Syntax error; token: \":x\", near: \":x\""),
    BAD(PROJECTION, "a, set", "Invalid ProjectionExpression: Syntax error; token: \"set\", near: \", set\""),
    BAD(PROJECTION, "a, Comment", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Comment"),
    BAD(PROJECTION, "a, #zz",
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
    /* "path one" follows the first child in Java HashMap order: b sorts before a there */
    BAD(PROJECTION, "a, b, #a.c",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b], path two: [a, c]"),
    BAD(PROJECTION, "a,b,a",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b], path two: [a]"),
    BAD(PROJECTION, "a.b, a",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
    BAD(PROJECTION, "a, a.b",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
    BAD(PROJECTION, "whatever(stuff)", "Invalid ProjectionExpression: Syntax error; token: \"(\", near: \"whatever(stuff\""),
    BAD(PROJECTION, "abort,", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""),
    BAD(PROJECTION, "a,,b", "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",,b\""),
    BAD(PROJECTION, "(a)", "Invalid ProjectionExpression: Syntax error; token: \"(\", near: \"(a\""),
    BAD(PROJECTION, "a.abORt", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: abORt"),
    BAD(PROJECTION, "a,b,a,#zz",
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
    BAD(PROJECTION, "b[1], b.a, #a.b, a",
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [b, [1]], path two: [b, a]"),
    BAD(PROJECTION, "b[1], #a.b, a",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [b, [1]], path two: [a]"),
    BAD(PROJECTION, "#a.b, a",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
    BAD(PROJECTION, "a.x, a.y[1], a.y.z",
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, y, [1]], path two: [a, y, z]"),
    BAD(PROJECTION, "a, #a[1]",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, [1]]"),
    BAD(PROJECTION, "a.b[1], #a[1], #c",
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b, [1]], path two: [a, [1]]"),
    BAD(PROJECTION, "a[3].b, #a.#d.b",
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [3], b], path two: [a, [3], b]"),
    BAD(PROJECTION, "a.b, a[1]",
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"),
};

static void
test_ddb_expr_parse__projections(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(projection_cases); i++) {
        const struct cond_case *c = &projection_cases[i];
        struct fixture f;
        struct ddb_projection *pr;
        struct out o = {.n = 0};

        print_message("case %zu: %s\n", i, c->text);
        fx_open(&f, NAMES, VALUES);
        pr = ddb_expr_parse_projection(&f.ctx, c->text);
        if (c->err) {
            assert_null(pr);
            assert_string_equal(f.ctx.err, c->want);
        } else {
            if (!pr)
                print_message("unexpected error: %s\n", f.ctx.err);
            assert_non_null(pr);
            for (unsigned k = 0; k < pr->n; k++) {
                put(&o, "%s", k ? ", " : "");
                put_path(&o, &pr->paths[k]);
            }
            assert_string_equal(o.s, c->want);
        }
        fx_close(&f);
    }
}

/* Paths keep their text as written, for the evaluator's messages. */
static void
test_ddb_expr_parse__path_text(void **state)
{
    struct fixture f;
    struct ddb_projection *pr;

    fx_open(&f, NAMES, NULL);
    pr = ddb_expr_parse_projection(&f.ctx, " a.b[2].#c , x ");
    assert_non_null(pr);
    assert_int_equal(pr->n, 2);
    assert_string_equal(pr->paths[0].text, "a.b[2].#c");
    assert_int_equal(pr->paths[0].n, 4);
    assert_null(pr->paths[0].e[2].name);
    assert_int_equal(pr->paths[0].e[2].index, 2);
    assert_string_equal(pr->paths[1].text, "x");
    fx_close(&f);
}

/* ---- limits ------------------------------------------------------------------------------- */

static char *
repeat_join(const char *head, const char *part, const char *sep, unsigned n, const char *tail)
{
    size_t size = strlen(head) + n * (strlen(part) + strlen(sep)) + strlen(tail) + 1;
    char *s = test_malloc(size);

    strcpy(s, head);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, part);
    }
    strcat(s, tail);
    return s;
}

static void
expect_condition(const char *text, const char *want)
{
    struct fixture f;
    struct ddb_node *x;

    fx_open(&f, NAMES, VALUES);
    x = ddb_expr_parse_condition(&f.ctx, DDB_EXPR_FILTER, text);
    if (want) {
        assert_null(x);
        assert_string_equal(f.ctx.err, want);
    } else {
        if (!x)
            print_message("unexpected error: %s\n", f.ctx.err);
        assert_non_null(x);
    }
    fx_close(&f);
}

/* 4 KB of text, 300 operators, 100 IN values; and deep nesting within 4 KB stays safe. */
static void
test_ddb_expr_parse__limits(void **state)
{
    char *s;
    char msg[128];

    /* "a=:x" joined by " OR ": 4 + 4 * n + 4 * (n - 1) bytes */
    s = repeat_join("", "a=:x", " OR ", 300, "");
    expect_condition(s, NULL);
    test_free(s);
    s = repeat_join("", "a=:x", " OR ", 301, "");
    expect_condition(s, "Invalid FilterExpression: The expression contains too many operators; "
                        "operator count: 301");
    test_free(s);
    s = repeat_join("a IN (", ":x", ",", 100, ")");
    expect_condition(s, NULL);
    test_free(s);
    s = repeat_join("a IN (", ":x", ",", 101, ")");
    expect_condition(s, "Invalid FilterExpression: The IN operator is provided with too many "
                        "operands; number of operands: 101");
    test_free(s);

    s = repeat_join("a = :x", " ", "", 4096 - 6, "");
    assert_int_equal(strlen(s), 4096);
    expect_condition(s, NULL);
    test_free(s);
    s = repeat_join("a = :x", " ", "", 4097 - 6, "");
    snprintf(msg, sizeof(msg), "Invalid FilterExpression: Expression size has exceeded the "
                               "maximum allowed size; expression size: %d", 4097);
    expect_condition(s, msg);
    test_free(s);

    s = repeat_join("a", ".b", "", 31, " = :x");
    expect_condition(s, NULL);
    test_free(s);
    s = repeat_join("a", ".b", "", 32, " = :x");
    expect_condition(s, "Invalid FilterExpression: The document path has too many nesting "
                        "levels; nesting levels: 33");
    test_free(s);

    /* Updates and projections are refused without the size. */
    s = repeat_join("SET a = :x", " ", "", 4097 - 10, "");
    {
        struct fixture f;

        fx_open(&f, NAMES, VALUES);
        assert_null(ddb_expr_parse_update(&f.ctx, s));
        assert_string_equal(f.ctx.err, "Invalid UpdateExpression: Expression size has exceeded "
                                       "the maximum allowed size;");
        fx_close(&f);
    }
    test_free(s);
    /* Measured in UTF-16 code units: 2-byte UTF-8 characters count once (so this reaches the
     * parser, which refuses the character). */
    s = repeat_join("#u = :x", "\xc3\xbc", "", 4096 - 7, "");
    expect_condition(s, "Invalid FilterExpression: Syntax error; token: \"\xc3\xbc\", near: "
                        "\":x\xc3\xbc\xc3\xbc\"");
    test_free(s);

    /* As deep as 4 KB allows: the parser must neither overflow nor accept. */
    s = repeat_join("", "(", "", 2040, "a = :x");
    expect_condition(s, "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \":x\"");
    test_free(s);
    s = repeat_join("", "NOT ", "", 1020, "a = :x");
    expect_condition(s, NULL);
    test_free(s);
}

/* Token soup in every kind of expression: always a tree or a message, never a crash (run under
 * the sanitizers). */
static void
test_ddb_expr_parse__token_soup(void **state)
{
    static const char *const pieces[] = {
        "a", "#a", "#zz", ":x", ":n", ":zz", "size", "begins_with", "if_not_exists", "(", ")",
        "[", "]", "1", ",", ".", "=", "<>", "<", ">=", "+", "-", "AND", "OR", "NOT", "BETWEEN",
        "IN", "SET", "REMOVE", "ADD", "DELETE", "name", "!", "#", ":", " ", "\xc3",
    };
    unsigned seed = 12345;
    char text[256];

    for (unsigned round = 0; round < 20000; round++) {
        unsigned n = 1 + (seed >> 16) % 24;
        size_t len = 0;

        for (unsigned i = 0; i < n; i++) {
            const char *piece;

            seed = seed * 1103515245u + 12345u;
            piece = pieces[(seed >> 16) % ARRAY_SIZE(pieces)];
            if (len + strlen(piece) + 2 >= sizeof(text))
                break;
            len += (size_t)sprintf(text + len, "%s%s", piece, (seed & 0x100) ? " " : "");
        }
        for (int kind = DDB_EXPR_CONDITION; kind <= DDB_EXPR_PROJECTION; kind++) {
            struct fixture f;
            const void *r;

            fx_open(&f, NAMES, VALUES);
            if (kind == DDB_EXPR_UPDATE)
                r = ddb_expr_parse_update(&f.ctx, text);
            else if (kind == DDB_EXPR_PROJECTION)
                r = ddb_expr_parse_projection(&f.ctx, text);
            else
                r = ddb_expr_parse_condition(&f.ctx, (enum ddb_expr_kind)kind, text);
            if (!r && f.ctx.err[0] == '\0')
                fail_msg("no message for '%s'", text);
            fx_close(&f);
        }
    }
}

/* ---- the maps and unused entries ------------------------------------------------------------ */

struct map_case {
    const char *names, *values;
    const char *condition, *update, *projection; /* NULL: not in the request */
    const char *want;                            /* NULL: fine */
};

static const struct map_case map_cases[] = {
    {"{\"#a\":\"a\"}", "{\":v\":{\"S\":\"x\"}}", "#a = :v", NULL, NULL, NULL},
    {"{\"#a\":\"a\"}", "{\":v\":{\"S\":\"x\"}}", "a = :v", "SET #a = :v", "#a", NULL},
    {"{\"#a\":\"a\",\"#b\":\"b\"}", "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"a\"}}", "a = :b",
     "remove a set b = list_append(b, if_not_exists(a, :a))", NULL,
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"},
    {NULL, "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"a\"},\":c\":{\"S\":\"a\"}}", "a = :b",
     "remove a", NULL,
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"},
    {"{\"#a\":\"a\",\"#z\":\"z\"}", "{\":c\":{\"S\":\"a\"}}", "#a = b", NULL, NULL,
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#z}"},
    {"{}", NULL, NULL, NULL, "", "ExpressionAttributeNames must not be empty"},
    {"{}", "{}", "", NULL, NULL, "ExpressionAttributeNames must not be empty"},
    {"{\"a\":\"a\"}", "{}", "", NULL, NULL,
     "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""},
    {NULL, "{}", "", NULL, NULL, "ExpressionAttributeValues must not be empty"},
    {NULL, "{\":b\":{\"S\":\"a\"},\"b\":{\"S\":\"a\"}}", "", NULL, NULL,
     "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\""},
    {NULL, "{\":0\":{\"S\":\"b\"}}", "", NULL, NULL,
     "Invalid ConditionExpression: The expression can not be empty;"},
    {"{}", NULL, NULL, NULL, NULL,
     "ExpressionAttributeNames can only be specified when using expressions"},
    {"{\"#a\":\"a\"}", "{\":v\":{\"S\":\"x\"}}", NULL, NULL, NULL,
     "ExpressionAttributeNames can only be specified when using expressions"},
    {NULL, "{\":v\":{\"S\":\"x\"}}", NULL, NULL, NULL,
     "ExpressionAttributeValues can only be specified when using expressions"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static void
test_ddb_expr_parse__maps_and_unused(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(map_cases); i++) {
        const struct map_case *c = &map_cases[i];
        struct fixture f;
        bool ok = true, any = c->condition || c->update || c->projection;

        print_message("case %zu\n", i);
        fx_open(&f, c->names, c->values);
        if (c->condition)
            ok = ddb_expr_parse_condition(&f.ctx, DDB_EXPR_CONDITION, c->condition) != NULL;
        if (ok && c->update)
            ok = ddb_expr_parse_update(&f.ctx, c->update) != NULL;
        if (ok && c->projection)
            ok = ddb_expr_parse_projection(&f.ctx, c->projection) != NULL;
        if (ok)
            ok = ddb_expr_check_unused(&f.ctx, any) == 0;
        if (c->want) {
            assert_false(ok);
            assert_string_equal(f.ctx.err, c->want);
        } else {
            if (!ok)
                print_message("unexpected error: %s\n", f.ctx.err);
            assert_true(ok);
        }
        fx_close(&f);
    }
}

/* Per operation: the values message names the expressions that could have used them. */
static void
test_ddb_expr_parse__unused_values_per_operation(void **state)
{
    struct fixture f;

    fx_open(&f, NULL, "{\":v\":{\"S\":\"x\"}}");
    assert_int_equal(ddb_expr_check_unused_values(&f.ctx, false, false,
                                                  "UpdateExpression and ConditionExpression are "
                                                  "null"), -1);
    assert_string_equal(f.ctx.err, "ExpressionAttributeValues can only be specified when using "
                                   "expressions: UpdateExpression and ConditionExpression are null");
    /* A projection alone cannot use values. */
    assert_non_null(ddb_expr_parse_projection(&f.ctx, "a"));
    assert_int_equal(ddb_expr_check_unused_values(&f.ctx, true, false, "FilterExpression is null"),
                     -1);
    assert_string_equal(f.ctx.err, "ExpressionAttributeValues can only be specified when using "
                                   "expressions: FilterExpression is null");
    assert_non_null(ddb_expr_parse_condition(&f.ctx, DDB_EXPR_FILTER, "a = :v"));
    assert_int_equal(ddb_expr_check_unused_values(&f.ctx, true, true, "FilterExpression is null"),
                     0);
    fx_close(&f);

    fx_open(&f, "{\"#a\":\"a\"}", NULL);
    assert_int_equal(ddb_expr_check_unused_values(&f.ctx, false, false, "ConditionExpression is null"),
                     -1);
    assert_string_equal(f.ctx.err, "ExpressionAttributeNames can only be specified when using "
                                   "expressions");
    fx_close(&f);
}

/* A message cut to fit ctx->err still ends on a whole UTF-8 character. */
static void
test_ddb_expr_parse__long_message_utf8(void **state)
{
    struct fixture f;
    char *names = test_malloc(2200), *text;
    size_t len;

    /* Two overlapping paths named by one 900-byte name of 2-byte characters. */
    strcpy(names, "{\"#u\":\"");
    for (int i = 0; i < 450; i++)
        strcat(names, "\xc3\xbc");
    strcat(names, "\"}");
    fx_open(&f, names, NULL);
    text = "#u.a, #u";
    assert_null(ddb_expr_parse_projection(&f.ctx, text));
    len = strlen(f.ctx.err);
    assert_true(len > 900 && len < sizeof(f.ctx.err));
    assert_true(strncmp(f.ctx.err, "Invalid ProjectionExpression: Two document paths overlap", 56) == 0);
    /* Ends on a whole character: an even number of bytes after the prefix's ASCII. */
    assert_true(((unsigned char)f.ctx.err[len - 1] & 0xC0) == 0x80 ||
                ((unsigned char)f.ctx.err[len - 1] & 0x80) == 0);
    if (((unsigned char)f.ctx.err[len - 1] & 0xC0) == 0x80)
        assert_int_equal((unsigned char)f.ctx.err[len - 2], 0xC3);
    fx_close(&f);
    test_free(names);
}

/* ---- reserved words ------------------------------------------------------------------------- */

static void
test_ddb_expr_parse__reserved_words(void **state)
{
    static const char *const yes[] = {
        "ABORT", "abort", "aBoRt", "ZONE", "zone", "name", "Size", "STATUS", "data", "VALUE",
        "comment", "views", "FLATTERN", "INNTER", "LOGED", "LOCALTIMESTAMP", "KEYS", "TTL",
        "attribute", "set", "add", "delete", "and", "or", "not", "between", "in",
    };
    static const char *const no[] = {
        "", "a", "ABORTS", "ABOR", "zones", "id", "pk", "attribute_exists", "begins_with",
        "if_not_exists", "list_append", "FLATTEN", "INNER_", "LOGGED", "Z", "AAAA", "ZZZZ",
        "views1", "_name", "name_", "remove", /* not in the guide's list */ "ABORTABORTABORTABORTABORTABORTABORTABORT",
    };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        print_message("reserved: %s\n", yes[i]);
        assert_true(ddb_reserved_word(yes[i], strlen(yes[i])));
    }
    for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
        print_message("not reserved: %s\n", no[i]);
        assert_false(ddb_reserved_word(no[i], strlen(no[i])));
    }
    /* The length is honoured: a prefix of a longer buffer. */
    assert_true(ddb_reserved_word("nameless", 4));
    assert_false(ddb_reserved_word("nameless", 5));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddb_expr_parse__conditions),
        cmocka_unit_test(test_ddb_expr_parse__updates),
        cmocka_unit_test(test_ddb_expr_parse__projections),
        cmocka_unit_test(test_ddb_expr_parse__path_text),
        cmocka_unit_test(test_ddb_expr_parse__limits),
        cmocka_unit_test(test_ddb_expr_parse__token_soup),
        cmocka_unit_test(test_ddb_expr_parse__maps_and_unused),
        cmocka_unit_test(test_ddb_expr_parse__unused_values_per_operation),
        cmocka_unit_test(test_ddb_expr_parse__long_message_utf8),
        cmocka_unit_test(test_ddb_expr_parse__reserved_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
