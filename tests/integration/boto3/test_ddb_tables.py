"""DynamoDB control plane through boto3: CreateTable, DescribeTable, ListTables, UpdateTable,
DeleteTable, table status transitions (--ddb-status-delay-ms), waiters, TTL settings, tags,
DescribeLimits, DescribeEndpoints, deletion protection and the x-amz-crc32 header.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_tables.py
"""

import datetime
import re
import time
import unittest

from ddb_base import ACCT, DdbCase, N, S, table_arn
from botocore.exceptions import ClientError


class CreateDescribe(DdbCase):
    def test_create_hash_table_description(self):
        before = self.now_s()
        t = self.create_table("users", billing="PROVISIONED", wait=False)
        # CreateTable answers at once with CREATING (API reference: CreateTable).
        self.assertEqual(t["TableStatus"], "CREATING")
        self.assertEqual(t["TableName"], "users")
        self.assertEqual(t["TableArn"], table_arn("users"))
        self.assertRegex(t["TableId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(t["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(t["AttributeDefinitions"], [{"AttributeName": "pk", "AttributeType": "S"}])
        self.assertEqual(t["ItemCount"], 0)
        self.assertEqual(t["TableSizeBytes"], 0)
        pt = t["ProvisionedThroughput"]
        self.assertEqual((pt["ReadCapacityUnits"], pt["WriteCapacityUnits"],
                          pt["NumberOfDecreasesToday"]), (5, 5, 0))
        self.assertIsInstance(t["CreationDateTime"], datetime.datetime)
        self.assertLess(abs(t["CreationDateTime"].timestamp() - before), 5)
        d = self.wait_status("users", "ACTIVE")
        self.assertEqual(d["TableId"], t["TableId"])
        self.assertEqual(d["TableArn"], t["TableArn"])
        self.assertNotIn("GlobalSecondaryIndexes", d)
        self.assertNotIn("LocalSecondaryIndexes", d)
        self.assertNotIn("StreamSpecification", d)
        self.assertNotIn("LatestStreamArn", d)

    def test_pay_per_request_summary(self):
        t = self.create_table("odtbl")
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        d = self.c.describe_table(TableName="odtbl")["Table"]
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertIn("LastUpdateToPayPerRequestDateTime", d["BillingModeSummary"])
        pt = d["ProvisionedThroughput"]
        self.assertEqual((pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]), (0, 0))

    def test_hash_range_with_gsi_and_lsi(self):
        self.create_table("orders", ("cust", "S"), ("ts", "N"),
                          gsis=[("byStatus", ("status", "S"), ("ts", "N"), "KEYS_ONLY"),
                                ("byAmount", ("amount", "N"), None, ["INCLUDE", ["note"]])],
                          lsis=[("byTotal", None, ("total", "N"), "ALL")])
        d = self.c.describe_table(TableName="orders")["Table"]
        self.assertEqual(d["KeySchema"], [{"AttributeName": "cust", "KeyType": "HASH"},
                                          {"AttributeName": "ts", "KeyType": "RANGE"}])
        self.assertEqual(sorted((a["AttributeName"], a["AttributeType"])
                                for a in d["AttributeDefinitions"]),
                         [("amount", "N"), ("cust", "S"), ("status", "S"), ("total", "N"),
                          ("ts", "N")])
        g = {x["IndexName"]: x for x in d["GlobalSecondaryIndexes"]}
        self.assertEqual(set(g), {"byStatus", "byAmount"})
        self.assertEqual(g["byStatus"]["KeySchema"],
                         [{"AttributeName": "status", "KeyType": "HASH"},
                          {"AttributeName": "ts", "KeyType": "RANGE"}])
        self.assertEqual(g["byStatus"]["Projection"], {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(g["byAmount"]["Projection"],
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]})
        for x in g.values():
            self.assertEqual(x["IndexStatus"], "ACTIVE")
            self.assertEqual(x["IndexArn"], table_arn("orders") + "/index/" + x["IndexName"])
            self.assertEqual(x["ItemCount"], 0)
            self.assertEqual(x["IndexSizeBytes"], 0)
        l = d["LocalSecondaryIndexes"]
        self.assertEqual(len(l), 1)
        self.assertEqual(l[0]["IndexName"], "byTotal")
        self.assertEqual(l[0]["KeySchema"], [{"AttributeName": "cust", "KeyType": "HASH"},
                                             {"AttributeName": "total", "KeyType": "RANGE"}])
        self.assertEqual(l[0]["Projection"], {"ProjectionType": "ALL"})
        self.assertEqual(l[0]["IndexArn"], table_arn("orders") + "/index/byTotal")
        self.assertNotIn("IndexStatus", l[0])

    def test_sse_and_table_class(self):
        self.create_table("enc", SSESpecification={"Enabled": True},
                          TableClass="STANDARD_INFREQUENT_ACCESS")
        d = self.c.describe_table(TableName="enc")["Table"]
        self.assertEqual(d["SSEDescription"]["Status"], "ENABLED")
        self.assertEqual(d["SSEDescription"]["SSEType"], "KMS")
        self.assertTrue(d["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:us-east-1:"))
        self.assertEqual(d["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")

    def test_stream_specification_at_create(self):
        t = self.create_table("sttbl", stream="NEW_AND_OLD_IMAGES")
        self.assertEqual(t["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        label = t["LatestStreamLabel"]
        self.assertRegex(label, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")
        self.assertEqual(t["LatestStreamArn"], table_arn("sttbl") + "/stream/" + label)

    def test_tags_at_create(self):
        self.create_table("tagged", Tags=[{"Key": "env", "Value": "dev"}])
        r = self.c.list_tags_of_resource(ResourceArn=table_arn("tagged"))
        self.assertEqual(r["Tags"], [{"Key": "env", "Value": "dev"}])

    def test_deletion_protection_raw(self):
        # The Debian botocore model predates DeletionProtectionEnabled: raw JSON.
        body = {"TableName": "prot", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "DeletionProtectionEnabled": True}
        t = self.raw_ok("CreateTable", body)["TableDescription"]
        self.assertIs(t["DeletionProtectionEnabled"], True)
        self.wait_status("prot", "ACTIVE")
        d = self.raw_ok("DescribeTable", {"TableName": "prot"})["Table"]
        self.assertIs(d["DeletionProtectionEnabled"], True)
        self.raw_error("DeleteTable", {"TableName": "prot"}, "ValidationException",
                       "Resource cannot be deleted as it is currently protected against "
                       "deletion. Disable deletion protection first.")
        self.assertEqual(self.c.describe_table(TableName="prot")["Table"]["TableStatus"], "ACTIVE")
        u = self.raw_ok("UpdateTable", {"TableName": "prot", "DeletionProtectionEnabled": False})
        self.assertIs(u["TableDescription"]["DeletionProtectionEnabled"], False)
        self.wait_status("prot", "ACTIVE")
        self.c.delete_table(TableName="prot")
        self.wait_status("prot", None)

    def test_default_deletion_protection_false(self):
        self.create_table("plain")
        d = self.raw_ok("DescribeTable", {"TableName": "plain"})["Table"]
        self.assertIs(d["DeletionProtectionEnabled"], False)

    def test_describe_by_arn(self):
        self.create_table("byarn")
        d = self.c.describe_table(TableName=table_arn("byarn"))["Table"]
        self.assertEqual(d["TableName"], "byarn")

    def test_crc32_on_every_response(self):
        self.raw_ok("ListTables", {})
        self.create_table("crc")
        self.raw_ok("DescribeTable", {"TableName": "crc"})
        self.raw_ok("PutItem", {"TableName": "crc", "Item": {"pk": S("a")}})
        self.raw_ok("GetItem", {"TableName": "crc", "Key": {"pk": S("a")}})
        d = self.raw_ok("DescribeTable", {"TableName": "crc"})["Table"]
        # timestamps are JSON numbers: epoch seconds (with a fraction)
        self.assertIsInstance(d["CreationDateTime"], (int, float))
        self.assertLess(abs(d["CreationDateTime"] - self.now_s()), 60)
        # errors carry it too
        r = self.raw("DescribeTable", {"TableName": "missing"})
        self.assertEqual(r.status, 400)


class Crc32(DdbCase):
    def test_every_operation_signs_its_body(self):
        """raw() checks x-amz-crc32 against the exact body of every answer, errors included."""
        self.create_table("crc", stream="KEYS_ONLY")
        key = {"pk": S("a")}
        ok = [
            ("PutItem", {"TableName": "crc", "Item": {"pk": S("a"), "v": N(1)}}),
            ("GetItem", {"TableName": "crc", "Key": key}),
            ("UpdateItem", {"TableName": "crc", "Key": key, "UpdateExpression": "SET v = :v",
                            "ExpressionAttributeValues": {":v": S("é✓")}, "ReturnValues": "ALL_NEW"}),
            ("Query", {"TableName": "crc", "KeyConditionExpression": "pk = :p",
                       "ExpressionAttributeValues": {":p": S("a")}}),
            ("Scan", {"TableName": "crc"}),
            ("BatchGetItem", {"RequestItems": {"crc": {"Keys": [key]}}}),
            ("BatchWriteItem", {"RequestItems": {"crc": [{"PutRequest": {"Item": {"pk": S("b")}}}]}}),
            ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "crc", "Key": key}}]}),
            ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "crc",
                                                               "Item": {"pk": S("c")}}}]}),
            ("DeleteItem", {"TableName": "crc", "Key": {"pk": S("c")}, "ReturnValues": "ALL_OLD"}),
            ("DescribeTable", {"TableName": "crc"}),
            ("ListTables", {}),
            ("DescribeTimeToLive", {"TableName": "crc"}),
            ("UpdateTimeToLive", {"TableName": "crc", "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": "exp"}}),
            ("TagResource", {"ResourceArn": table_arn("crc"), "Tags": [{"Key": "k", "Value": "v"}]}),
            ("ListTagsOfResource", {"ResourceArn": table_arn("crc")}),
            ("UntagResource", {"ResourceArn": table_arn("crc"), "TagKeys": ["k"]}),
            ("DescribeLimits", {}),
            ("DescribeEndpoints", {}),
        ]
        for op, body in ok:
            r = self.raw(op, body)
            self.assertEqual(r.status, 200, (op, r))
        for op, body in [("GetItem", {"TableName": "nope", "Key": key}),
                         ("PutItem", {"TableName": "crc", "Item": {"x": S("a")}}),
                         ("PutItem", {"TableName": "crc", "Item": {"pk": S("a")},
                                      "ConditionExpression": "attribute_not_exists(pk)"})]:
            r = self.raw(op, body)
            self.assertEqual(r.status, 400, (op, r))
        arn = self.c.describe_table(TableName="crc")["Table"]["LatestStreamArn"]
        for op, body in [("ListStreams", {}), ("DescribeStream", {"StreamArn": arn})]:
            r = self.raw(op, body, service="DynamoDBStreams_20120810")
            self.assertEqual(r.status, 200, (op, r))


class ErrorShapes(DdbCase):
    def test_error_bodies_as_dynamodb_sends_them(self):
        self.create_table("shape")
        self.c.put_item(TableName="shape", Item={"pk": S("a")})
        self.raw_error("GetItem", {"TableName": "nope", "Key": {"pk": S("a")}},
                       "ResourceNotFoundException")
        self.raw_error("PutItem", {"TableName": "shape", "Item": {"pk": N(1)}},
                       "ValidationException", "One or more parameter values were invalid: Type "
                       "mismatch for key pk expected: S actual: N")
        self.raw_error("PutItem", {"TableName": "shape", "Item": {"pk": S("a")},
                                   "ConditionExpression": "attribute_not_exists(pk)"},
                       "ConditionalCheckFailedException", "The conditional request failed")
        self.raw_error("CreateTable", {
            "TableName": "shape", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
            "ResourceInUseException", "Table already exists: shape")


class CreateErrors(DdbCase):
    def test_table_already_exists(self):
        self.create_table("dup")
        self.assert_error(self.create_table, "ResourceInUseException",
                          message="Table already exists: dup", name="dup")

    def test_describe_missing(self):
        self.assert_error(self.c.describe_table, "ResourceNotFoundException",
                          message="Requested resource not found: Table: nope not found",
                          TableName="nope")

    def test_key_attribute_not_defined(self):
        self.assert_validation(
            self.c.create_table,
            re.compile(r"^One or more parameter values were invalid: Some index key attributes "
                       r"are not defined in AttributeDefinitions"),
            TableName="bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def test_extra_attribute_definition(self):
        self.assert_validation(
            self.c.create_table,
            "One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions",
            TableName="bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "x", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def test_provisioned_needs_throughput(self):
        self.assert_validation(
            self.c.create_table,
            "One or more parameter values were invalid: ReadCapacityUnits and "
            "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            TableName="bad", BillingMode="PROVISIONED",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def test_pay_per_request_refuses_throughput(self):
        self.assert_validation(
            self.c.create_table,
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            TableName="bad", BillingMode="PAY_PER_REQUEST",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def test_lsi_needs_range_key(self):
        self.assert_validation(
            self.c.create_table,
            "One or more parameter values were invalid: Table KeySchema does not have a range "
            "key, which is required when specifying a LocalSecondaryIndex",
            TableName="bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "x", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "x", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}])

    def test_table_name_rules(self):
        for name, frag in (("ab", "Member must have length greater than or equal to 3"),
                           ("bad name!", "Member must satisfy regular expression pattern: "
                                         "[a-zA-Z0-9_.-]+")):
            # raw: botocore itself refuses a name shorter than the model's minimum
            j = self.raw_error("CreateTable", {
                "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
                "ValidationException", contains=frag)
            self.assertIn("at 'tableName' failed to satisfy constraint", j["message"])


class ListTables(DdbCase):
    def test_sorted_and_paged(self):
        names = ["t-e", "t-a", "t-c", "t-b", "t-d"]
        for n in names:
            self.create_table(n, wait=False)
        self.assertEqual(self.c.list_tables()["TableNames"], sorted(names))
        p1 = self.c.list_tables(Limit=2)
        self.assertEqual(p1["TableNames"], ["t-a", "t-b"])
        self.assertEqual(p1["LastEvaluatedTableName"], "t-b")
        p2 = self.c.list_tables(Limit=2, ExclusiveStartTableName="t-b")
        self.assertEqual(p2["TableNames"], ["t-c", "t-d"])
        p3 = self.c.list_tables(Limit=2, ExclusiveStartTableName=p2["LastEvaluatedTableName"])
        self.assertEqual(p3["TableNames"], ["t-e"])
        self.assertNotIn("LastEvaluatedTableName", p3)
        # ExclusiveStartTableName need not exist
        self.assertEqual(self.c.list_tables(ExclusiveStartTableName="t-bb")["TableNames"],
                         ["t-c", "t-d", "t-e"])
        pages = list(self.c.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}))
        self.assertEqual([n for p in pages for n in p["TableNames"]], sorted(names))

    def test_default_page_is_100(self):
        names = ["tab%03d" % i for i in range(103)]
        for n in names:
            self.create_table(n, wait=False)
        r = self.c.list_tables()
        self.assertEqual(r["TableNames"], names[:100])
        self.assertEqual(r["LastEvaluatedTableName"], names[99])
        r = self.c.list_tables(ExclusiveStartTableName=names[99])
        self.assertEqual(r["TableNames"], names[100:])
        self.assertNotIn("LastEvaluatedTableName", r)

    def test_empty(self):
        r = self.c.list_tables()
        self.assertEqual(r["TableNames"], [])
        self.assertNotIn("LastEvaluatedTableName", r)

    def test_limit_range(self):
        self.assert_error(self.c.list_tables, "ValidationException",
                          contains="Member must have value less than or equal to 100", Limit=101)

    def test_regions_are_separate(self):
        self.create_table("east")
        west = self.d.client("dynamodb", region="us-west-2")
        self.assertEqual(west.list_tables()["TableNames"], [])
        self.assertEqual(self.c.list_tables()["TableNames"], ["east"])


class DeleteTable(DdbCase):
    def test_delete_returns_deleting_then_gone(self):
        self.create_table("gone")
        self.c.put_item(TableName="gone", Item={"pk": S("a")})
        r = self.c.delete_table(TableName="gone")["TableDescription"]
        self.assertEqual(r["TableStatus"], "DELETING")
        self.assertEqual(r["TableName"], "gone")
        self.wait_status("gone", None)
        self.assertNotIn("gone", self.c.list_tables()["TableNames"])
        self.assert_error(self.c.get_item, "ResourceNotFoundException",
                          contains="Requested resource not found",
                          TableName="gone", Key={"pk": S("a")})
        # a new table of the same name starts empty
        self.create_table("gone")
        self.assertNotIn("Item", self.c.get_item(TableName="gone", Key={"pk": S("a")}))

    def test_delete_missing(self):
        self.assert_error(self.c.delete_table, "ResourceNotFoundException",
                          contains="Requested resource not found", TableName="nope")

    def test_waiters(self):
        self.create_table("wtbl", wait=False)
        self.c.get_waiter("table_exists").wait(TableName="wtbl",
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        self.c.delete_table(TableName="wtbl")
        self.c.get_waiter("table_not_exists").wait(TableName="wtbl",
                                                   WaiterConfig={"Delay": 1, "MaxAttempts": 3})


class StatusDelay(DdbCase):
    DAEMON_ARGS = ("--ddb-status-delay-ms", "400")

    def test_creating_then_active(self):
        t0 = time.monotonic()
        self.assertEqual(self.create_table("slow", wait=False)["TableStatus"], "CREATING")
        self.assertEqual(self.c.describe_table(TableName="slow")["Table"]["TableStatus"],
                         "CREATING")
        # data-plane calls on a CREATING table: ResourceNotFoundException
        self.assert_error(self.c.put_item, "ResourceNotFoundException",
                          TableName="slow", Item={"pk": S("a")})
        # the table is listed while CREATING
        self.assertIn("slow", self.c.list_tables()["TableNames"])
        # UpdateTable refuses a table that is not ACTIVE
        self.assert_error(self.c.update_table, "ResourceInUseException", TableName="slow",
                          BillingMode="PROVISIONED",
                          ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.wait_status("slow", "ACTIVE")
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.c.put_item(TableName="slow", Item={"pk": S("a")})

    def test_updating_then_active(self):
        self.create_table("utbl")
        r = self.c.update_table(TableName="utbl", BillingMode="PROVISIONED",
                                ProvisionedThroughput={"ReadCapacityUnits": 2,
                                                       "WriteCapacityUnits": 3})
        self.assertEqual(r["TableDescription"]["TableStatus"], "UPDATING")
        self.assertEqual(self.c.describe_table(TableName="utbl")["Table"]["TableStatus"], "UPDATING")
        # items stay readable and writable while UPDATING
        self.c.put_item(TableName="utbl", Item={"pk": S("a")})
        d = self.wait_status("utbl", "ACTIVE")
        self.assertEqual(d["ProvisionedThroughput"]["ReadCapacityUnits"], 2)
        self.assertEqual(d["ProvisionedThroughput"]["WriteCapacityUnits"], 3)
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PROVISIONED")

    def test_gsi_backfill_is_not_readable(self):
        self.create_table("bftbl")
        self.c.put_item(TableName="bftbl", Item={"pk": S("a"), "g": S("x")})
        r = self.c.update_table(
            TableName="bftbl",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])["TableDescription"]
        gsi = r["GlobalSecondaryIndexes"][0]
        self.assertEqual(gsi["IndexStatus"], "CREATING")
        d = self.c.describe_table(TableName="bftbl")["Table"]
        self.assertEqual(d["GlobalSecondaryIndexes"][0]["IndexStatus"], "CREATING")
        self.assert_validation(self.c.query,
                               "Cannot read from backfilling global secondary index: byG",
                               TableName="bftbl", IndexName="byG", KeyConditionExpression="g = :g",
                               ExpressionAttributeValues={":g": S("x")})
        d = self.wait_status("bftbl", "ACTIVE")
        self.assertEqual(d["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertFalse(d["GlobalSecondaryIndexes"][0].get("Backfilling", False))
        r = self.c.query(TableName="bftbl", IndexName="byG", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": S("x")})
        self.assertEqual(r["Count"], 1)

    def test_deleting_then_gone(self):
        self.create_table("del")
        self.assertEqual(self.c.delete_table(TableName="del")["TableDescription"]["TableStatus"],
                         "DELETING")
        self.assertEqual(self.c.describe_table(TableName="del")["Table"]["TableStatus"],
                         "DELETING")
        self.assert_error(self.c.delete_table, "ResourceInUseException", TableName="del")
        self.wait_status("del", None)


class UpdateTable(DdbCase):
    def test_add_gsi_backfills_and_delete_gsi(self):
        self.create_table("gtbl", extra_attrs=())
        for i in range(5):
            item = {"pk": S("p%d" % i), "v": N(i)}
            if i % 2 == 0:
                item["color"] = S("red")
            self.c.put_item(TableName="gtbl", Item=item)
        r = self.c.update_table(
            TableName="gtbl",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byColor",
                "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])
        desc = r["TableDescription"]
        self.assertEqual(desc["TableStatus"], "UPDATING")
        self.assertEqual([x["IndexName"] for x in desc["GlobalSecondaryIndexes"]], ["byColor"])
        self.wait_status("gtbl", "ACTIVE")
        q = self.c.query(TableName="gtbl", IndexName="byColor",
                         KeyConditionExpression="color = :c",
                         ExpressionAttributeValues={":c": S("red")})
        self.assertEqual(sorted(i["pk"]["S"] for i in q["Items"]), ["p0", "p2", "p4"])
        # new writes reach the index too
        self.c.put_item(TableName="gtbl", Item={"pk": S("p9"), "color": S("red")})
        q = self.c.query(TableName="gtbl", IndexName="byColor", Select="COUNT",
                         KeyConditionExpression="color = :c",
                         ExpressionAttributeValues={":c": S("red")})
        self.assertEqual(q["Count"], 4)
        self.c.update_table(TableName="gtbl", GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "byColor"}}])
        d = self.wait_status("gtbl", "ACTIVE")
        self.assertNotIn("GlobalSecondaryIndexes", d)
        self.assert_validation(self.c.query,
                               "The table does not have the specified index: byColor",
                               TableName="gtbl", IndexName="byColor",
                               KeyConditionExpression="color = :c",
                               ExpressionAttributeValues={":c": S("red")})

    def test_create_existing_gsi_and_delete_missing(self):
        self.create_table("g2tbl", gsis=[("idx1", ("a", "S"), None, "ALL")])
        self.assert_error(
            self.c.update_table, "ValidationException",
            contains="Attempting to create an index which already exists",
            TableName="g2tbl",
            AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "idx1", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])
        # deleting an index the table does not have fails (AWS's code for it is not documented)
        with self.assertRaises(self.c.exceptions.ClientError) as cm:
            self.c.update_table(TableName="g2tbl",
                                GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("ResourceNotFoundException", "ValidationException"))
        self.assertEqual([g["IndexName"] for g in self.c.describe_table(
            TableName="g2tbl")["Table"]["GlobalSecondaryIndexes"]], ["idx1"])

    def test_billing_switch(self):
        self.create_table("btbl", billing="PROVISIONED")
        self.c.update_table(TableName="btbl", BillingMode="PAY_PER_REQUEST")
        d = self.wait_status("btbl", "ACTIVE")
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

    def test_update_missing_table(self):
        self.assert_error(self.c.update_table, "ResourceNotFoundException", TableName="nope",
                          BillingMode="PAY_PER_REQUEST")


class TimeToLiveSettings(DdbCase):
    def test_enable_describe_disable(self):
        self.create_table("ttl")
        self.assertEqual(self.c.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})
        r = self.c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(self.c.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        self.assert_validation(self.c.update_time_to_live, "TimeToLive is already enabled",
                               TableName="ttl",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        r = self.c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
            "Enabled": False, "AttributeName": "exp"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": False, "AttributeName": "exp"})
        st = self.c.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"]
        self.assertIn(st["TimeToLiveStatus"], ("DISABLING", "DISABLED"))

    def test_missing_table(self):
        self.assert_error(self.c.describe_time_to_live, "ResourceNotFoundException",
                          TableName="nope")
        self.assert_error(self.c.update_time_to_live, "ResourceNotFoundException",
                          TableName="nope",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


class Tags(DdbCase):
    def test_tag_list_untag(self):
        self.create_table("tgtbl")
        arn = table_arn("tgtbl")
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=arn)["Tags"], [])
        self.c.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                                   {"Key": "b", "Value": "2"}])
        self.c.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])
        tags = {t["Key"]: t["Value"] for t in self.c.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"a": "3", "b": "2"})
        self.c.untag_resource(ResourceArn=arn, TagKeys=["a", "zzz"])
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])

    def test_missing_resource(self):
        arn = table_arn("nope")
        self.assert_error(self.c.list_tags_of_resource, "ResourceNotFoundException",
                          ResourceArn=arn)
        self.assert_error(self.c.tag_resource, "ResourceNotFoundException", ResourceArn=arn,
                          Tags=[{"Key": "a", "Value": "1"}])


class AccountLevel(DdbCase):
    def test_describe_limits(self):
        r = self.c.describe_limits()
        self.assertEqual(r["AccountMaxReadCapacityUnits"], 80000)
        self.assertEqual(r["AccountMaxWriteCapacityUnits"], 80000)
        self.assertEqual(r["TableMaxReadCapacityUnits"], 40000)
        self.assertEqual(r["TableMaxWriteCapacityUnits"], 40000)

    def test_describe_endpoints(self):
        r = self.c.describe_endpoints()
        self.assertEqual(len(r["Endpoints"]), 1)
        # AWS answers with its regional host name (dynamodb.us-east-1.amazonaws.com), a host
        # without a scheme; an emulator must name itself instead, or clients that use endpoint
        # discovery would leave it for the real service.
        addr = r["Endpoints"][0]["Address"]
        self.assertTrue(addr)
        self.assertNotIn("://", addr)
        self.assertNotIn("amazonaws.com", addr)
        self.assertEqual(r["Endpoints"][0]["CachePeriodInMinutes"], 1440)


if __name__ == "__main__":
    unittest.main()
