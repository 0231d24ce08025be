"""DynamoDB's expression language, table-driven: condition evaluation (comparators, BETWEEN, IN,
AND/OR/NOT precedence, functions, nested paths a.b[2].#c), update actions (SET + / -,
list_append, if_not_exists, REMOVE, ADD, DELETE) and the exact ValidationException messages for
bad expressions (syntax errors naming the token, reserved words, undefined/unused names and
values, overlapping/conflicting paths, operand types, key attributes).

Messages are real DynamoDB's (as collected by dynalite's test suite, which was checked against
AWS, and by user reports); where a message's tail is not known exactly the case is a regex.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_expressions.py
"""

import copy
import re
import unittest

from ddb_base import DdbCase, N, S

BASE = {
    "pk": S("k"),
    "s": S("hello"),
    "n": N(5),
    "n2": N(10),
    "b": {"B": b"\x01\x02"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "nul": {"NULL": True},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("deep")}}]}}}, "x": N(1)}},
    "l": {"L": [N(1), S("two"), {"L": [N(3)]}]},
    "status": S("on"),
    "a.b": S("dotted"),
}

VALUES = {
    ":zero": N(0), ":one": N(1), ":two": N(2), ":three": N(3), ":five": N(5),
    ":fivep": {"N": "5.00"}, ":ten": N(10), ":tenth": {"N": "0.1"}, ":neg": N(-1),
    ":s": S("hello"), ":hellp": S("hellp"), ":he": S("he"), ":ell": S("ell"), ":nope": S("nope"),
    ":on": S("on"), ":dotted": S("dotted"), ":deep": S("deep"), ":str": S("x"),
    ":a": S("a"), ":twos": S("two"), ":bin": {"B": b"\x01"}, ":true": {"BOOL": True},
    ":null": {"NULL": True}, ":tN": S("N"), ":tS": S("S"), ":tSS": S("SS"), ":tNULL": S("NULL"),
    ":tBOOL": S("BOOL"), ":tM": S("M"), ":tL": S("L"), ":tB": S("B"), ":tNS": S("NS"),
    ":ssba": {"SS": ["b", "a"]}, ":ssa": {"SS": ["a"]}, ":ssc": {"SS": ["c"]},
    ":ssab": {"SS": ["a", "b"]}, ":ns1": {"NS": ["1"]}, ":lst": {"L": [S("x")]},
    ":mx": {"M": {"x": N(1)}}, ":four": N(4),
}

# (condition, names, expected) -- values are taken from VALUES by the :names the expression uses
CONDITIONS = [
    ("n = :five", None, True),
    ("n = :fivep", None, True),
    ("n <> :five", None, False),
    ("n < n2", None, True),
    ("n2 <= n", None, False),
    ("n >= :five", None, True),
    ("n > :neg", None, True),
    ("s < :hellp", None, True),
    ("s = :five", None, False),            # different types: not equal, no error
    ("n < :s", None, False),               # different types: comparison is false
    ("n <> :s", None, True),
    ("n BETWEEN :one AND :ten", None, True),
    ("n BETWEEN :one AND :three", None, False),
    ("n between :five and :five", None, True),
    ("n IN (:one, :five)", None, True),
    ("n IN (:one, :two)", None, False),
    ("s IN (:s)", None, True),
    ("attribute_exists(m.a.b[2].c)", None, True),
    ("attribute_exists(m.a.b[5])", None, False),
    ("attribute_exists(m.#x)", {"#x": "x"}, True),
    ("attribute_not_exists(nope)", None, True),
    ("attribute_not_exists(n)", None, False),
    ("attribute_type(n, :tN)", None, True),
    ("attribute_type(n, :tS)", None, False),
    ("attribute_type(ss, :tSS)", None, True),
    ("attribute_type(nul, :tNULL)", None, True),
    ("attribute_type(t, :tBOOL)", None, True),
    ("attribute_type(m, :tM)", None, True),
    ("attribute_type(l, :tL)", None, True),
    ("attribute_type(b, :tB)", None, True),
    ("attribute_type(ns, :tNS)", None, True),
    ("attribute_type(nope, :tS)", None, False),
    ("begins_with(s, :he)", None, True),
    ("begins_with(s, :ell)", None, False),
    ("begins_with(b, :bin)", None, True),
    ("contains(s, :ell)", None, True),
    ("contains(ss, :a)", None, True),
    ("contains(ss, :str)", None, False),
    ("contains(l, :twos)", None, True),
    ("contains(ns, :one)", None, True),
    ("size(s) = :five", None, True),
    ("size(ss) = :two", None, True),
    ("size(m) = :two", None, True),
    ("size(l) = :three", None, True),
    ("size(b) = :two", None, True),
    ("size(m.a.b) > :two", None, True),
    ("size(nope) = :zero", None, False),
    ("NOT n = :one", None, True),
    ("NOT (n = :five)", None, False),
    # AND binds tighter than OR; NOT tighter than AND
    ("n = :five OR n = :one AND s = :nope", None, True),
    ("(n = :five OR n = :one) AND s = :nope", None, False),
    ("NOT n = :one AND n = :one", None, False),
    ("n = :one or n = :five", None, True),
    ("#st = :on", {"#st": "status"}, True),
    ("#ab = :dotted", {"#ab": "a.b"}, True),
    ("m.a.b[2].#c = :deep", {"#c": "c"}, True),
    ("m.x = :one", None, True),
    ("m = :mx", None, False),
    ("l[1] = :twos", None, True),
    ("l[2][0] = :three", None, True),
    ("l[7] = :three", None, False),
    ("t = :true", None, True),
    ("f = :true", None, False),
    ("nul = :null", None, True),
    ("ss = :ssba", None, True),
    ("ss = :ssa", None, False),
    ("nope = :null", None, False),
    ("nope <> :one", None, True),
    ("contains(b, :bin)", None, True),
    ("s BETWEEN :a AND :str", None, True),
    ("s BETWEEN :he AND :s", None, True),
    ("size(ns) = :two", None, True),
    ("attribute_exists(#ab)", {"#ab": "a.b"}, True),
    ("attribute_exists(a.b)", None, False),
    ("NOT attribute_exists(nope)", None, True),
    ("n IN (:s, :five)", None, True),
    ("NOT NOT n = :five", None, True),
    ("(n = :one OR n = :two) OR (n = :three OR n = :five)", None, True),
    ("n = :five AND (s = :s AND (t = :true AND size(l) = :three))", None, True),
    ("m.a.b[0] < m.a.b[1]", None, True),
    ("size(m.a.b[2].c) = :four", None, True),
]

# (update, names, {attr: expected value, or None for absent})
UPDATES = [
    ("SET n = n + :one", None, {"n": N(6)}),
    ("SET n = n - :ten", None, {"n": N(-5)}),
    ("SET n = n + :tenth", None, {"n": {"N": "5.1"}}),
    ("SET z = :one + :ten", None, {"z": N(11)}),
    ("SET z = n2 - n", None, {"z": N(5)}),
    ("SET z = if_not_exists(z, :zero)", None, {"z": N(0)}),
    ("SET n = if_not_exists(n, :zero)", None, {"n": N(5)}),
    ("SET z = if_not_exists(z, :zero) + :one", None, {"z": N(1)}),
    ("SET l = list_append(l, :lst)", None,
     {"l": {"L": [N(1), S("two"), {"L": [N(3)]}, S("x")]}}),
    ("SET l = list_append(:lst, l)", None,
     {"l": {"L": [S("x"), N(1), S("two"), {"L": [N(3)]}]}}),
    ("SET z = list_append(if_not_exists(z, :lst), :lst)", None, {"z": {"L": [S("x"), S("x")]}}),
    ("SET m.a.b[2].c = :str", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("x")}}]}}}, "x": N(1)}}}),
    ("SET m.y = :str", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("deep")}}]}}}, "x": N(1),
                  "y": S("x")}}}),
    ("SET l[1] = :str", None, {"l": {"L": [N(1), S("x"), {"L": [N(3)]}]}}),
    ("SET l[10] = :str", None, {"l": {"L": [N(1), S("two"), {"L": [N(3)]}, S("x")]}}),
    ("SET l[2][0] = :str", None, {"l": {"L": [N(1), S("two"), {"L": [S("x")]}]}}),
    ("REMOVE l[0], l[1]", None, {"l": {"L": [{"L": [N(3)]}]}}),
    ("REMOVE l[9]", None, {"l": {"L": [N(1), S("two"), {"L": [N(3)]}]}}),
    ("REMOVE m.x, s, nope", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("deep")}}]}}}}}, "s": None}),
    ("ADD n :one", None, {"n": N(6)}),
    ("ADD z :one", None, {"z": N(1)}),
    ("ADD n :neg", None, {"n": N(4)}),
    ("ADD ss :ssc", None, {"ss": {"SS": ["a", "b", "c"]}}),
    ("ADD zs :ssc", None, {"zs": {"SS": ["c"]}}),
    ("ADD ns :ns1", None, {"ns": {"NS": ["1", "2"]}}),
    ("DELETE ss :ssa", None, {"ss": {"SS": ["b"]}}),
    ("DELETE ss :ssab", None, {"ss": None}),
    ("DELETE ss :ssc", None, {"ss": {"SS": ["a", "b"]}}),
    ("DELETE zs :ssc", None, {"zs": None}),
    ("SET #st = :str", {"#st": "status"}, {"status": S("x")}),
    ("SET #ab = :str", {"#ab": "a.b"}, {"a.b": S("x"), "a": None}),
    ("set z = :str remove n add y :one delete ss :ssa", None,
     {"z": S("x"), "n": None, "y": N(1), "ss": {"SS": ["b"]}}),
    ("SET z = s, s = :str", None, {"z": S("hello"), "s": S("x")}),
    ("SET m.a.b[1] = :str", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), S("x"), {"M": {"c": S("deep")}}]}}}, "x": N(1)}}}),
    ("REMOVE m.a.b[2].c", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {}}]}}}, "x": N(1)}}}),
    ("ADD m.x :one", None,
     {"m": {"M": {"a": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("deep")}}]}}}, "x": N(2)}}}),
    ("SET m.a.b = :lst", None, {"m": {"M": {"a": {"M": {"b": {"L": [S("x")]}}}, "x": N(1)}}}),
]

U = "Invalid UpdateExpression: "
C = "Invalid ConditionExpression: "
P = "Invalid ProjectionExpression: "
F = "Invalid FilterExpression: "

# (kind, expression, names, values, message: exact str or re pattern)
# values: a list of VALUES keys, or a dict of raw values.
ERRORS = [
    ("cond", "foo", None, None, C + 'Syntax error; token: "<EOF>", near: "foo"'),
    ("cond", "attribute_not_exists(", None, None, C + 'Syntax error; token: "<EOF>", near: "("'),
    ("cond", "n = = :one", None, [":one"], re.compile('^' + C + 'Syntax error; token: "=", near: "')),
    ("cond", "n === :one", None, [":one"], re.compile('^' + C + 'Syntax error; token: "=", near: "')),
    ("cond", "l[-1] = :one", None, [":one"], re.compile('^' + C + 'Syntax error; token: "-", near: "')),
    ("cond", "n IN ()", None, None, re.compile('^' + C + 'Syntax error; token: "\\)", near: "')),
    ("cond", "", None, None, C + "The expression can not be empty;"),
    ("cond", "status = :on", None, [":on"],
     C + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("cond", "m.SIZE = :one", None, [":one"],
     C + "Attribute name is a reserved keyword; reserved keyword: SIZE"),
    ("cond", "#x = :one", None, [":one"],
     C + "An expression attribute name used in the document path is not defined; "
         "attribute name: #x"),
    ("cond", "n = :v", None, None,
     C + "An expression attribute value used in expression is not defined; attribute value: :v"),
    ("cond", "n = :one", None, [":one", ":two"],
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:two}"),
    ("cond", "n = :one", {"#a": "a"}, [":one"],
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"),
    ("cond", "foo(n)", None, None, C + "Invalid function name; function: foo"),
    ("cond", "begins_with(s)", None, None,
     C + "Incorrect number of operands for operator or function; operator or function: "
         "begins_with, number of operands: 1"),
    ("cond", "attribute_exists(n, s)", None, None,
     C + "Incorrect number of operands for operator or function; operator or function: "
         "attribute_exists, number of operands: 2"),
    ("cond", "begins_with(s, :one)", None, [":one"],
     C + "Incorrect operand type for operator or function; operator or function: begins_with, "
         "operand type: N"),
    ("cond", "attribute_exists(:one)", None, [":one"],
     C + "Operator or function requires a document path; operator or function: attribute_exists"),
    ("cond", "attribute_type(n, :str)", None, [":str"],
     re.compile("^" + C + "Invalid attribute type name found; type: x, valid types: ")),
    ("cond", "n BETWEEN :ten AND :one", None, [":ten", ":one"],
     re.compile("^" + C + "The BETWEEN operator requires upper bound to be greater than or equal "
                "to lower bound; lower bound operand: AttributeValue: \\{N:10\\}, upper bound "
                "operand: AttributeValue: \\{N:1\\}$")),
    ("cond", "((n = :one))", None, [":one"], C + "The expression has redundant parentheses;"),
    ("cond", "size(s)", None, None,
     re.compile("^" + C + "The function is not allowed to be used this way in an expression; "
                "function: size$")),
    ("cond", "n = :v", None, {":v": {"N": "abc"}},
     "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a "
     "numeric value: abc for key :v"),
    ("cond", "n = :v", None, {":v": {"SS": []}},
     "ExpressionAttributeValues contains invalid value: One or more parameter values were "
     "invalid: An string set  may not be empty for key :v"),
    ("cond", "n = :v", None, {"v": N(1)},
     'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
    ("cond", "#a = :one", {"a": "a", "#a": "n"}, [":one"],
     'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
    ("cond", "n = :one", {}, [":one"], "ExpressionAttributeNames must not be empty"),
    ("cond", "attribute_exists(n)", None, {}, "ExpressionAttributeValues must not be empty"),

    ("update", "", None, None, U + "The expression can not be empty;"),
    ("update", "SET n", None, None, U + 'Syntax error; token: "<EOF>", near: "n"'),
    ("update", "whatever", None, None, re.compile("^" + U + "Syntax error; ")),
    ("update", "SET a = b + c + d", None, None, re.compile("^" + U + "Syntax error; ")),
    ("update", "SET n = n + n2 - :one", None, [":one"], re.compile("^" + U + "Syntax error; ")),
    ("update", "SET n = :one SET s = :str", None, [":one", ":str"],
     U + 'The "SET" section can only be used once in an update expression;'),
    ("update", "REMOVE n REMOVE s", None, None,
     U + 'The "REMOVE" section can only be used once in an update expression;'),
    ("update", "REMOVE status", None, None,
     U + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("update", "SET pk = :str", None, [":str"],
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
     "part of the key"),
    ("update", "ADD pk :one", None, [":one"],
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
     "part of the key"),
    ("update", "REMOVE pk", None, None,
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
     "part of the key"),
    ("update", "SET m = :str, m.x = :str", None, [":str"],
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
         "path one: [m], path two: [m, x]"),
    ("update", "SET n = :one REMOVE n", None, [":one"],
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
         "path one: [n], path two: [n]"),
    ("update", "REMOVE m.x SET m[1] = :one", None, [":one"],
     U + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
         "path one: [m, x], path two: [m, [1]]"),
    ("update", "SET n = size(s)", None, None,
     U + "The function is not allowed in an update expression; function: size"),
    ("update", "SET n = if_not_exist(n, :one)", None, [":one"],
     U + "Invalid function name; function: if_not_exist"),
    ("update", "SET n = if_not_exists(:one, n)", None, [":one"],
     U + "Operator or function requires a document path; operator or function: if_not_exists"),
    ("update", "SET n = list_append(:lst)", None, [":lst"],
     U + "Incorrect number of operands for operator or function; operator or function: "
         "list_append, number of operands: 1"),
    ("update", "ADD s :str", None, [":str"],
     U + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("update", "DELETE ss :one", None, [":one"],
     U + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("update", "ADD n :lst", None, [":lst"],
     U + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("update", "SET n = n + :str", None, [":str"],
     U + "Incorrect operand type for operator or function; operator or function: +, operand "
         "type: S"),
    ("update", "SET n = n - :lst", None, [":lst"],
     U + "Incorrect operand type for operator or function; operator or function: -, operand "
         "type: L"),
    ("update", "SET l = list_append(l, :str)", None, [":str"],
     U + "Incorrect operand type for operator or function; operator or function: list_append, "
         "operand type: S"),
    ("update", "SET #a = :one", None, [":one"],
     U + "An expression attribute name used in the document path is not defined; attribute "
         "name: #a"),
    ("update", "SET n = :v", None, None,
     U + "An expression attribute value used in expression is not defined; attribute value: :v"),
    ("update", "REMOVE n", {"#a": "a", "#b": "b"}, None,
     re.compile("^Value provided in ExpressionAttributeNames unused in expressions: keys: "
                "\\{(#a, #b|#b, #a)\\}$")),
    # errors that depend on the stored item (checked against BASE)
    ("update", "SET z = s + :one", None, [":one"],
     "An operand in the update expression has an incorrect data type"),
    ("update", "ADD ss :ns1", None, [":ns1"],
     "An operand in the update expression has an incorrect data type"),
    ("update", "ADD s :one", None, [":one"],
     "An operand in the update expression has an incorrect data type"),
    ("update", "SET z = list_append(n, :lst)", None, [":lst"],
     "An operand in the update expression has an incorrect data type"),
    ("update", "SET z = nope", None, None,
     "The provided expression refers to an attribute that does not exist in the item"),
    ("update", "SET z = nope + :one", None, [":one"],
     "The provided expression refers to an attribute that does not exist in the item"),
    ("update", "SET nope.a = :one", None, [":one"],
     "The document path provided in the update expression is invalid for update"),
    ("update", "REMOVE nope.a", None, None,
     "The document path provided in the update expression is invalid for update"),
    ("update", "DELETE nope.a :ssa", None, [":ssa"],
     "The document path provided in the update expression is invalid for update"),
    ("update", "SET n = :one, n = :two", None, [":one", ":two"],
     U + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
         "path one: [n], path two: [n]"),
    ("cond", "n BETWEEN :one", None, [":one"], re.compile("^" + C + 'Syntax error; token: "<EOF>"')),
    ("update", "SET s.a = :one", None, [":one"],
     "The document path provided in the update expression is invalid for update"),
    ("update", "SET m[0] = :one", None, [":one"],
     "The document path provided in the update expression is invalid for update"),
    ("update", "SET l.a = :one", None, [":one"],
     "The document path provided in the update expression is invalid for update"),

    ("proj", "", None, None, P + "The expression can not be empty;"),
    ("proj", "status", None, None, P + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("proj", "m, m.x", None, None,
     P + "Two document paths overlap with each other; must remove or rewrite one of these paths; "
         "path one: [m], path two: [m, x]"),
    ("proj", "l[0], l.a", None, None,
     P + "Two document paths conflict with each other; must remove or rewrite one of these paths; "
         "path one: [l, [0]], path two: [l, a]"),
    ("proj", "n,,s", None, None, re.compile("^" + P + 'Syntax error; token: ",", near: "')),
    ("proj", "#x", None, None,
     P + "An expression attribute name used in the document path is not defined; attribute "
         "name: #x"),

    ("filter", "n = :zz", None, None,
     F + "An expression attribute value used in expression is not defined; attribute value: :zz"),
    ("filter", "name = :s", None, [":s"],
     F + "Attribute name is a reserved keyword; reserved keyword: name"),
    ("filter", "", None, None, F + "The expression can not be empty;"),
    ("filter", "n = n", None, None,
     F + "The first operand must be distinct from the remaining operands for this operator or "
         "function; operator: =, first operand: [n]"),
    ("filter", "begins_with(m.a, m.a)", None, None,
     F + "The first operand must be distinct from the remaining operands for this operator or "
         "function; operator: begins_with, first operand: [m, a]"),
    ("filter", "size(size(s)) > :one", None, [":one"],
     F + "Incorrect operand type for operator or function; operator or function: size, "
         "operand type: N"),
    ("filter", "attribute_exists(n) > :one", None, [":one"],
     F + "The function is not allowed to be used this way in an expression; function: "
         "attribute_exists"),
    ("filter", "n = :one AND ((s = :s))", None, [":one", ":s"],
     F + "The expression has redundant parentheses;"),
    ("filter", "attRIbute_exIsts(n)", None, None,
     F + "Invalid function name; function: attRIbute_exIsts"),
]


def used_values(expr):
    return sorted(set(re.findall(r":[A-Za-z0-9_]+", expr)))


class Expressions(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("tbl")
        self.c.put_item(TableName="tbl", Item=BASE)

    def eval_condition(self, expr, names):
        kw = {"TableName": "tbl", "Item": BASE, "ConditionExpression": expr}
        vals = {k: VALUES[k] for k in used_values(expr)}
        if vals:
            kw["ExpressionAttributeValues"] = vals
        if names:
            kw["ExpressionAttributeNames"] = names
        try:
            self.c.put_item(**kw)
            return True
        except self.c.exceptions.ConditionalCheckFailedException:
            return False

    def test_conditions(self):
        failures = []
        for expr, names, want in CONDITIONS:
            try:
                got = self.eval_condition(expr, names)
            except Exception as e:  # noqa: BLE001 - collect every case
                got = "error: %s" % e
            if got != want:
                failures.append("%r: want %r, got %r" % (expr, want, got))
        self.assertEqual(failures, [], "\n".join(failures))
        # the item was never changed by a passing condition
        self.assertEqual(self.c.get_item(TableName="tbl", Key={"pk": S("k")})["Item"]["n"], N(5))

    def test_filter_expressions_use_the_same_language(self):
        failures = []
        for expr, names, want in CONDITIONS:
            kw = {"TableName": "tbl", "FilterExpression": expr}
            vals = {k: VALUES[k] for k in used_values(expr)}
            if vals:
                kw["ExpressionAttributeValues"] = vals
            if names:
                kw["ExpressionAttributeNames"] = names
            try:
                got = self.c.scan(**kw)["Count"] == 1
            except Exception as e:  # noqa: BLE001
                got = "error: %s" % e
            if got != want:
                failures.append("%r: want %r, got %r" % (expr, want, got))
        self.assertEqual(failures, [], "\n".join(failures))

    def test_updates(self):
        failures = []
        for expr, names, want in UPDATES:
            self.c.put_item(TableName="tbl", Item=BASE)
            kw = {"TableName": "tbl", "Key": {"pk": S("k")}, "UpdateExpression": expr,
                  "ReturnValues": "ALL_NEW"}
            vals = {k: VALUES[k] for k in used_values(expr)}
            if vals:
                kw["ExpressionAttributeValues"] = vals
            if names:
                kw["ExpressionAttributeNames"] = names
            try:
                got = self.c.update_item(**kw)["Attributes"]
            except Exception as e:  # noqa: BLE001
                failures.append("%r: error %s" % (expr, e))
                continue
            stored = self.c.get_item(TableName="tbl", Key={"pk": S("k")})["Item"]
            if stored != got:
                failures.append("%r: ALL_NEW %r differs from the stored item %r" % (expr, got, stored))
            for attr, v in want.items():
                have = got.get(attr)
                if have is not None and v is not None:
                    for st in ("SS", "NS", "BS"):
                        if st in have and st in v:
                            have = {st: sorted(have[st])}
                            v = {st: sorted(v[st])}
                if have != v:
                    failures.append("%r: %s want %r, got %r" % (expr, attr, v, have))
            untouched = {k: x for k, x in BASE.items() if k not in want}
            for k, x in untouched.items():
                if got.get(k) != x:
                    failures.append("%r: untouched %s changed to %r" % (expr, k, got.get(k)))
        self.assertEqual(failures, [], "\n".join(failures))

    def run_error_case(self, kind, expr, names, values):
        kw = {"TableName": "tbl"}
        if isinstance(values, dict):
            kw["ExpressionAttributeValues"] = values
        elif values:
            kw["ExpressionAttributeValues"] = {k: VALUES[k] for k in values}
        if names is not None:
            kw["ExpressionAttributeNames"] = names
        if kind == "cond":
            self.c.put_item(Item={"pk": S("k2")}, ConditionExpression=expr, **kw)
        elif kind == "update":
            self.c.update_item(Key={"pk": S("k")}, UpdateExpression=expr, **kw)
        elif kind == "proj":
            self.c.get_item(Key={"pk": S("k")}, ProjectionExpression=expr, **kw)
        elif kind == "filter":
            self.c.scan(FilterExpression=expr, **kw)

    def test_error_messages(self):
        failures = []
        for kind, expr, names, values, want in ERRORS:
            if want is None:
                continue
            try:
                self.run_error_case(kind, expr, names, values)
                failures.append("%s %r: no error (want %r)" % (kind, expr, want))
                continue
            except self.c.exceptions.ClientError as e:
                code = e.response["Error"]["Code"]
                msg = e.response["Error"]["Message"]
            if code != "ValidationException":
                failures.append("%s %r: code %s (%s)" % (kind, expr, code, msg))
            elif hasattr(want, "pattern"):
                if not want.search(msg):
                    failures.append("%s %r:\n   want /%s/\n   got  %r" % (kind, expr, want.pattern, msg))
            elif msg != want:
                failures.append("%s %r:\n   want %r\n   got  %r" % (kind, expr, want, msg))
        # no failed update changed the item, no failed put created one
        self.assertEqual(self.c.get_item(TableName="tbl", Key={"pk": S("k")})["Item"], BASE)
        self.assertNotIn("Item", self.c.get_item(TableName="tbl", Key={"pk": S("k2")}))
        self.assertEqual(failures, [], "%d of %d cases:\n%s" % (
            len(failures), len([e for e in ERRORS if e[4] is not None]), "\n".join(failures)))

    def test_key_condition_errors(self):
        self.create_table("qtbl", range_key=("sk", "N"))
        cases = [
            ("sk = :one", [":one"], "Query condition missed key schema element: pk"),
            ("pk = :s AND sk = :one AND sk = :two", [":s", ":one", ":two"],
             re.compile("KeyConditionExpression")),
            ("pk = :s OR sk = :one", [":s", ":one"],
             "Invalid operator used in KeyConditionExpression: OR"),
            ("pk <> :s", [":s"], "Invalid operator used in KeyConditionExpression: <>"),
            ("pk = :s AND contains(sk, :one)", [":s", ":one"],
             "Invalid operator used in KeyConditionExpression: contains"),
            ("pk = :s AND n = :one", [":s", ":one"],
             re.compile("^Query key condition not supported$|^Query condition missed key schema element")),
            ("pk = :s AND begins_with(sk, :one)", [":s", ":one"],
             "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
             "operator or function: begins_with, operand type: N"),
            ("pk > :s", [":s"], "Query key condition not supported"),
            ("pk = :one", [":one"],
             "One or more parameter values were invalid: Condition parameter type does not match "
             "schema type"),
        ]
        failures = []
        for expr, vals, want in cases:
            try:
                self.c.query(TableName="qtbl", KeyConditionExpression=expr,
                             ExpressionAttributeValues={k: VALUES[k] if k != ":s" else S("x")
                                                        for k in vals})
                failures.append("%r: no error" % expr)
                continue
            except self.c.exceptions.ClientError as e:
                code, msg = e.response["Error"]["Code"], e.response["Error"]["Message"]
            if code != "ValidationException":
                failures.append("%r: %s %s" % (expr, code, msg))
            elif hasattr(want, "pattern") and not want.search(msg):
                failures.append("%r: want /%s/ got %r" % (expr, want.pattern, msg))
            elif isinstance(want, str) and msg != want:
                failures.append("%r:\n   want %r\n   got  %r" % (expr, want, msg))
        self.assertEqual(failures, [], "\n".join(failures))


class UpdateRuntime(DdbCase):
    """Update behaviours that need more than one step."""

    def setUp(self):
        super().setUp()
        self.create_table("tbl")

    def test_set_list_element_on_missing_item(self):
        self.assert_validation(self.c.update_item,
                               "The document path provided in the update expression is invalid "
                               "for update", TableName="tbl", Key={"pk": S("new")},
                               UpdateExpression="SET a[1] = :v",
                               ExpressionAttributeValues={":v": N(1)})
        self.assertNotIn("Item", self.c.get_item(TableName="tbl", Key={"pk": S("new")}))

    def test_add_to_number_set_and_decimal_precision(self):
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="ADD c :x",
                           ExpressionAttributeValues={":x": {"N": "0.1"}})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="ADD c :x",
                           ExpressionAttributeValues={":x": {"N": "0.2"}})
        got = self.c.get_item(TableName="tbl", Key={"pk": S("a")})["Item"]
        self.assertEqual(got["c"], {"N": "0.3"})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")},
                           UpdateExpression="SET big = :a + :b",
                           ExpressionAttributeValues={
                               ":a": {"N": "99999999999999999999999999999999999999"},
                               ":b": {"N": "1"}})
        got = self.c.get_item(TableName="tbl", Key={"pk": S("a")})["Item"]
        self.assertEqual(got["big"], {"N": "100000000000000000000000000000000000000"})

    def test_arithmetic_beyond_38_digits(self):
        self.assert_error(self.c.update_item, "ValidationException",
                          contains="significant digits", TableName="tbl", Key={"pk": S("a")},
                          UpdateExpression="SET x = :a + :b",
                          ExpressionAttributeValues={
                              ":a": {"N": "12345678901234567890123456789012345678"},
                              ":b": {"N": "0.1"}})

    def test_remove_then_set_list_indexes_refer_to_original(self):
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "l": {"L": [N(0), N(1), N(2), N(3)]}})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="REMOVE l[1], l[3]")
        got = self.c.get_item(TableName="tbl", Key={"pk": S("a")})["Item"]
        self.assertEqual(got["l"], {"L": [N(0), N(2)]})


if __name__ == "__main__":
    unittest.main()
