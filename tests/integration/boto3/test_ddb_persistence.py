"""DynamoDB durability: tables (with GSIs, LSIs, streams, tags, TTL settings), items, index
entries and stream records survive a clean restart and a kill -9 straight after a 200; stream
sequence numbers keep increasing across restarts; the TTL sweeper resumes after a restart.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_persistence.py
"""

import time
import unittest

from ddb_base import DdbCase, N, S, table_arn


class Persistence(DdbCase):
    def build(self):
        self.create_table("ptbl", range_key=("sk", "N"),
                          gsis=[("byG", ("g", "S"), None, "ALL")],
                          lsis=[("byL", None, ("l", "N"), "KEYS_ONLY")],
                          stream="NEW_AND_OLD_IMAGES", Tags=[{"Key": "k", "Value": "v"}])
        self.c.update_time_to_live(TableName="ptbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        for i in range(10):
            self.c.put_item(TableName="ptbl", Item={"pk": S("a"), "sk": N(i), "g": S("G%d" % (i % 2)),
                                                 "l": N(100 - i), "d": {"M": {"x": N(i)}}})
        self.c.delete_item(TableName="ptbl", Key={"pk": S("a"), "sk": N(9)})
        self.c.update_item(TableName="ptbl", Key={"pk": S("a"), "sk": N(0)},
                           UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": S("Z")})
        return self.snapshot()

    def stream_records(self):
        arn = self.c.describe_table(TableName="ptbl")["Table"]["LatestStreamArn"]
        out = []
        for sh in self.s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = self.s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = self.s.get_records(ShardIterator=it)
                out += r["Records"]
                if not r["Records"]:
                    break
                it = r.get("NextShardIterator")
        return out

    def snapshot(self):
        d = self.c.describe_table(TableName="ptbl")["Table"]
        for k in ("ItemCount", "TableSizeBytes"):
            d.pop(k, None)
        for ix in d.get("GlobalSecondaryIndexes", []) + d.get("LocalSecondaryIndexes", []):
            ix.pop("ItemCount", None)
            ix.pop("IndexSizeBytes", None)
        return {
            "desc": d,
            "items": self.items("ptbl"),
            "gsi": self.c.query(TableName="ptbl", IndexName="byG", KeyConditionExpression="g = :g",
                                ExpressionAttributeValues={":g": S("G1")})["Items"],
            "lsi": self.c.query(TableName="ptbl", IndexName="byL", KeyConditionExpression="pk = :p",
                                ExpressionAttributeValues={":p": S("a")})["Items"],
            "ttl": self.c.describe_time_to_live(TableName="ptbl")["TimeToLiveDescription"],
            "tags": self.c.list_tags_of_resource(ResourceArn=table_arn("ptbl"))["Tags"],
            "records": [(r["eventName"], r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"],
                         r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage"))
                        for r in self.stream_records()],
            "tables": self.c.list_tables()["TableNames"],
        }

    def check_same(self, before):
        after = self.snapshot()
        for k in before:
            self.assertEqual(after[k], before[k], k)
        self.assertEqual(len(before["items"]), 9)
        self.assertEqual(len(before["records"]), 12)

    def test_clean_restart(self):
        before = self.build()
        self.restart()
        self.check_same(before)
        # sequence numbers keep increasing after the restart
        self.c.put_item(TableName="ptbl", Item={"pk": S("b"), "sk": N(1)})
        recs = self.stream_records()
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        self.assertEqual(len(recs), 13)
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_kill9_after_each_acknowledged_write(self):
        before = self.build()
        self.restart(kill=True)
        self.check_same(before)
        steps = [
            lambda: self.c.put_item(TableName="ptbl", Item={"pk": S("k"), "sk": N(1), "g": S("G1")}),
            lambda: self.c.update_item(TableName="ptbl", Key={"pk": S("k"), "sk": N(1)},
                                       UpdateExpression="ADD c :one",
                                       ExpressionAttributeValues={":one": N(1)}),
            lambda: self.c.batch_write_item(RequestItems={"ptbl": [
                {"PutRequest": {"Item": {"pk": S("k"), "sk": N(2)}}},
                {"DeleteRequest": {"Key": {"pk": S("a"), "sk": N(1)}}}]}),
            lambda: self.c.transact_write_items(TransactItems=[
                {"Put": {"TableName": "ptbl", "Item": {"pk": S("k"), "sk": N(3)}}},
                {"Delete": {"TableName": "ptbl", "Key": {"pk": S("a"), "sk": N(2)}}}]),
            lambda: self.c.delete_item(TableName="ptbl", Key={"pk": S("a"), "sk": N(3)}),
        ]
        for step in steps:
            step()
            want = self.snapshot()
            self.restart(kill=True)
            self.assertEqual(self.snapshot(), want)
        got = {(i["pk"]["S"], int(i["sk"]["N"])) for i in self.items("ptbl")}
        self.assertEqual(got, {("k", 1), ("k", 2), ("k", 3)} |
                         {("a", i) for i in (0, 4, 5, 6, 7, 8)})
        k1 = self.c.get_item(TableName="ptbl", Key={"pk": S("k"), "sk": N(1)})["Item"]
        self.assertEqual(k1["c"], N(1))

    def test_kill9_after_table_operations(self):
        self.create_table("xtbl")
        self.restart(kill=True)
        self.assertEqual(self.c.describe_table(TableName="xtbl")["Table"]["TableStatus"], "ACTIVE")
        self.c.update_table(TableName="xtbl", StreamSpecification={"StreamEnabled": True,
                                                                "StreamViewType": "KEYS_ONLY"})
        arn = self.wait_status("xtbl", "ACTIVE")["LatestStreamArn"]
        self.c.tag_resource(ResourceArn=table_arn("xtbl"), Tags=[{"Key": "a", "Value": "b"}])
        self.restart(kill=True)
        d = self.c.describe_table(TableName="xtbl")["Table"]
        self.assertEqual(d["LatestStreamArn"], arn)
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=table_arn("xtbl"))["Tags"],
                         [{"Key": "a", "Value": "b"}])
        self.c.delete_table(TableName="xtbl")
        self.restart(kill=True)
        self.wait_status("xtbl", None)
        self.assertEqual(self.c.list_tables()["TableNames"], [])


    def test_kill9_after_each_acknowledged_partiql_write(self):
        # PartiQL writes go through the same group commit: each answered statement, batch and
        # transaction is on disk, index entries and stream records included.
        before = self.build()

        def es(**kw):  # self.c is a new client after each restart
            return self.c.execute_statement(**kw)

        steps = [
            lambda: es(Statement="INSERT INTO \"ptbl\" VALUE {'pk': 'q', 'sk': 1, 'g': 'G1'}"),
            lambda: es(Statement="UPDATE \"ptbl\" SET c = 5 WHERE pk = ? AND sk = ?",
                       Parameters=[S("q"), N(1)]),
            lambda: es(Statement="DELETE FROM \"ptbl\" WHERE pk = 'a' AND sk = 1"),
            lambda: self.c.batch_execute_statement(Statements=[
                {"Statement": "INSERT INTO \"ptbl\" VALUE {'pk': 'q', 'sk': 2}"},
                {"Statement": "DELETE FROM \"ptbl\" WHERE pk = 'a' AND sk = 2"}]),
            lambda: self.c.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO \"ptbl\" VALUE {'pk': 'q', 'sk': 3}"},
                {"Statement": "UPDATE \"ptbl\" SET g = 'G1' WHERE pk = 'a' AND sk = 4"}]),
        ]
        for step in steps:
            step()
            want = self.snapshot()
            self.restart(kill=True)
            self.assertEqual(self.snapshot(), want)
        got = {(i["pk"]["S"], int(i["sk"]["N"])) for i in self.items("ptbl")}
        self.assertEqual(got, {("q", 1), ("q", 2), ("q", 3)} |
                         {("a", i) for i in (0, 3, 4, 5, 6, 7, 8)})
        q1 = self.c.get_item(TableName="ptbl", Key={"pk": S("q"), "sk": N(1)})["Item"]
        self.assertEqual(q1["c"], N(5))
        # 12 records from build(), then one per changed item
        self.assertEqual(len(self.snapshot()["records"]), len(before["records"]) + 7)


class TokensAfterRestart(DdbCase):
    def test_client_request_token_survives_kill9(self):
        self.create_table("tok")
        items = [{"Update": {"TableName": "tok", "Key": {"pk": S("a")},
                             "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": N(1)}}}]
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="t-1")
        self.restart(kill=True)
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="t-1")
        self.assertEqual(self.c.get_item(TableName="tok", Key={"pk": S("a")})["Item"]["n"], N(1))
        self.assert_error(self.c.transact_write_items, "IdempotentParameterMismatchException",
                          TransactItems=[{"Put": {"TableName": "tok", "Item": {"pk": S("b")}}}],
                          ClientRequestToken="t-1")


class TtlAfterRestart(DdbCase):
    DAEMON_ARGS = ("--ttl-interval", "1")

    def test_sweeper_resumes(self):
        self.create_table("tbl")
        self.c.update_time_to_live(TableName="tbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        now = int(self.now_s())
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "exp": N(now + 3600)})
        self.restart(kill=True)
        self.assertEqual(self.c.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        # the fresh daemon's test clock starts at the wall clock again: move past the expiry
        self.advance(max(0, now + 3700 - self.now_s()))
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            if "Item" not in self.c.get_item(TableName="tbl", Key={"pk": S("a")}):
                break
            time.sleep(0.1)
        self.assertNotIn("Item", self.c.get_item(TableName="tbl", Key={"pk": S("a")}))


if __name__ == "__main__":
    unittest.main()
