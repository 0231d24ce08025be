"""DynamoDB PartiQL's errors through boto3: statements that do not parse (ValidationException
"Statement wasn't well formed, can't be processed: ..."), unknown tables, keys that are wrong or
missing, index reads that ask for what the index lacks, FROM paths, operand types, and the wire
shape of these errors. Shares PqCase (one daemon per class) with test_ddb_partiql.py.

Expected behaviour is DynamoDB's (developer guide: ql-reference.*, ql-functions; API reference:
API_ExecuteStatement). Messages the documentation does not spell out were observed on real
DynamoDB or come from its PartiQL message catalogue; the comments say so.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_partiql_errors.py
"""

import re
import unittest

from ddb_base import N, S
from test_ddb_partiql import DUPLICATE, SYNTAX, PqCase


class Errors(PqCase):
    def setUp(self):
        super().setUp()
        self.create_table(self.t)
        self.c.put_item(TableName=self.t, Item={"pk": S("a"), "n": N(1)})

    def test_not_a_statement(self):
        # DynamoDB's words ("... can't be processed: Expected data manipulation", observed),
        # then, as awslet adds to every syntax error, where the offending token is and the token
        self.es_error('SLECT * FROM "%s" WHERE pk = \'a\'' % self.t, "ValidationException",
                      message=SYNTAX + ": Expected data manipulation at line 1, column 1: SLECT")
        self.syntax_error("CREATE TABLE x")

    def test_malformed_statements(self):
        t = self.t
        for stmt in ('SELECT * FROM "%s" WHERE pk = = \'a\'' % t,
                     'SELECT * FROM "%s" WHERE pk = \'a' % t,
                     'SELECT * FROM "%s' % t,
                     'SELECT * "%s"' % t,
                     'SELECT FROM "%s"' % t,
                     'SELECT * FROM "%s" WHERE' % t,
                     'SELECT * FROM "%s" WHERE pk = \'a\' garbage' % t,
                     'SELECT * FROM "%s" WHERE pk = \'a\' AND (n = 1' % t,
                     'INSERT INTO "%s" VALUE {\'pk\': \'b\'' % t,
                     'UPDATE "%s" WHERE pk = \'a\'' % t,
                     'DELETE "%s" WHERE pk = \'a\'' % t,
                     'SELECT * FROM "%s" WHERE pk = \'a\' ORDER' % t):
            self.syntax_error(stmt)
        # VALUES (a bag of items) is PartiQL but not DynamoDB's: refused, nothing written
        self.es_error('INSERT INTO "%s" VALUES {\'pk\': \'b\'}' % t, "ValidationException",
                      message='Unsupported operation: Inserting multiple items in a single '
                              'statement is not supported, use "INSERT INTO tableName VALUE item" '
                              'instead')
        self.assertEqual(self.items(self.t), [{"pk": S("a"), "n": N(1)}])

    def test_the_offending_token_is_named(self):
        # a message that points at what broke the statement names the token or its position
        for stmt, token in (('SELECT * FROM "%s" WHERE pk = \'a\' LIMIT 5' % self.t, "LIMIT"),
                            ('SELECT * FROM "%s" WHERE pk = \'a\' AND n ~ 1' % self.t, "~"),
                            ('SELECT * FROM "%s" WHERE pk = \'a\' AND AND n = 1' % self.t, "AND")):
            msg = self.syntax_error(stmt)
            self.assertRegex(msg, r"%s|column \d+" % re.escape(token), stmt)

    def test_projection_names(self):
        # a projected path is named after its last component (DynamoDB's PartiQL collapses
        # m.x to "x" and l[1] to "l[1]"), so two paths may collide
        self.es_error('SELECT n, n FROM "%s" WHERE pk = \'a\'' % self.t, "ValidationException",
                      message="Duplicate identifiers in select clause: n")
        self.es_error('SELECT m.x, o.x FROM "%s" WHERE pk = \'a\'' % self.t,
                      "ValidationException", message="Duplicate identifiers in select clause: x")
        self.es_error('SELECT n AS m FROM "%s" WHERE pk = \'a\'' % self.t, "ValidationException",
                      contains="Aliasing is not supported")

    def test_next_tokens_belong_to_their_statement(self):
        # DynamoDB's PartiQL catalogue: "Invalid NextToken", "NextToken does not match request"
        for i in range(5):
            self.c.put_item(TableName=self.t, Item={"pk": S("k%d" % i)})
        stmt = 'SELECT * FROM "%s"' % self.t
        tok = self.es(stmt, Limit=2)["NextToken"]
        self.es_error(stmt, "ValidationException", NextToken="not-a-token", contains="NextToken")
        self.es_error('SELECT pk FROM "%s" WHERE n = 1' % self.t, "ValidationException",
                      NextToken=tok, contains="NextToken")
        self.assertEqual(len(self.es(stmt, NextToken=tok, Limit=10)["Items"]), 4)

    def test_unknown_table_in_every_statement(self):
        for stmt in ('SELECT * FROM "nope-nope" WHERE pk = \'a\'',
                     'INSERT INTO "nope-nope" VALUE {\'pk\': \'a\'}',
                     'UPDATE "nope-nope" SET n = 1 WHERE pk = \'a\'',
                     'DELETE FROM "nope-nope" WHERE pk = \'a\''):
            self.es_error(stmt, "ResourceNotFoundException", message="Requested resource not found")

    def test_update_of_a_key_attribute(self):
        self.es_error('UPDATE "%s" SET pk = \'b\' WHERE pk = \'a\'' % self.t, "ValidationException")
        self.assertEqual(self.get({"pk": S("a")}), {"pk": S("a"), "n": N(1)})

    def test_mismatched_key_type(self):
        # a number where the key is a string: refused like PutItem's type mismatch
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': 1}' % self.t, "ValidationException")
        self.assertEqual(self.items(self.t), [{"pk": S("a"), "n": N(1)}])

    def test_error_wire_shape(self):
        r = self.raw("ExecuteStatement", {"Statement": 'SLECT * FROM "%s"' % self.t})
        self.assertEqual(r.status, 400, r)
        j = r.json()
        self.assertEqual(j["__type"], "com.amazon.coral.validate#ValidationException")
        self.assertTrue(j["message"].startswith(SYNTAX), j)
        r = self.raw("ExecuteStatement",
                     {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'a\'}' % self.t})
        self.assertEqual(r.status, 400, r)
        j = r.json()
        self.assertEqual(j["__type"], "com.amazonaws.dynamodb.v20120810#DuplicateItemException")
        self.assertEqual(j["message"], DUPLICATE)


class IndexRules(PqCase):
    """Reads through an index and the FROM path, in DynamoDB's words (each message below was
    observed on DynamoDB; the index ones say "Secondary index" for both kinds in the filter
    message, and name the kind in the projection message)."""

    def setUp(self):
        super().setUp()
        self.create_table(self.t, range_key=("sk", "S"),
                          gsis=[("gsi-inc", ("g", "S"), None, ["INCLUDE", ["inc"]])],
                          lsis=[("lsi-keys", None, ("l2", "S"), "KEYS_ONLY")])
        self.c.put_item(TableName=self.t, Item={"pk": S("p"), "sk": S("s1"), "g": S("y"),
                                                "l2": S("k"), "inc": S("i"), "np": S("np1")})

    def test_unprojected_attributes(self):
        self.es_error('SELECT np FROM "%s"."gsi-inc" WHERE g = \'y\'' % self.t,
                      "ValidationException",
                      message="One or more parameter values were invalid: Global secondary index "
                              "gsi-inc does not project [np]")
        for ix, cond in (("gsi-inc", "g = 'y'"), ("lsi-keys", "pk = 'p'")):
            with self.subTest(index=ix):
                self.es_error('SELECT pk FROM "%s"."%s" WHERE %s AND np = \'np1\''
                              % (self.t, ix, cond), "ValidationException",
                              message="One or more parameter values were invalid: Secondary index "
                                      "%s does not project one or more filter attributes: [np]" % ix)
        got = self.rows('SELECT pk, inc FROM "%s"."gsi-inc" WHERE g = \'y\'' % self.t)
        self.assertEqual(got, [{"pk": S("p"), "inc": S("i")}])

    def test_from_paths(self):
        self.es_error('SELECT * FROM "%s"."gsi-inc"."extra" WHERE pk = \'p\'' % self.t,
                      "ValidationException",
                      message="A path may contain at most 2 components in the FROM clause")
        for path in ('"%s".""' % self.t, '""'):
            self.es_error('SELECT * FROM %s WHERE pk = \'p\'' % path, "ValidationException",
                          message="Path component cannot be an empty string")
        # the table's own name is not one of its indexes
        self.es_error('SELECT * FROM "%s"."%s" WHERE pk = \'p\'' % (self.t, self.t),
                      "ValidationException", message="The table does not have the specified index")

    def test_operand_type_in_a_comparison(self):
        self.es_error('SELECT pk FROM "%s" WHERE pk = \'p\' AND inc < ?' % self.t,
                      "ValidationException", params=[{"BOOL": True}],
                      message="Incorrect operand type for operator or function; operator or "
                              "function: <, operand type: BOOL")


if __name__ == "__main__":
    unittest.main()
