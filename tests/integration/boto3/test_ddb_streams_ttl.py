"""DynamoDB Streams and TTL through boto3: record shapes per StreamViewType, LatestStreamArn/Label,
ListStreams, DescribeStream shards and SequenceNumberRange, GetShardIterator (TRIM_HORIZON,
LATEST, AT_/AFTER_SEQUENCE_NUMBER), GetRecords Limit/NextShardIterator, iterator expiry after
15 minutes and 24-hour trimming on the test clock, strictly increasing sequence numbers, no record
for a write that changes nothing or fails; TTL: expired items stay readable until the sweep, the
sweep removes them and writes a REMOVE record with the service userIdentity.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_streams_ttl.py
"""

import time
import unittest

from ddb_base import DdbCase, N, S, table_arn

STREAMS = "DynamoDBStreams_20120810"


class StreamCase(DdbCase):
    def stream_arn(self, table):
        return self.c.describe_table(TableName=table)["Table"]["LatestStreamArn"]

    def shard_ids(self, arn):
        return [s["ShardId"] for s in
                self.s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]

    def records(self, table=None, arn=None, kind="TRIM_HORIZON", **kw):
        """Every record of every shard from kind on (one GetRecords loop per shard)."""
        arn = arn or self.stream_arn(table)
        out = []
        for sid in self.shard_ids(arn):
            it = self.s.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType=kind,
                                           **kw)["ShardIterator"]
            for _ in range(100):
                r = self.s.get_records(ShardIterator=it)
                out += r["Records"]
                it = r.get("NextShardIterator")
                if not it or not r["Records"]:
                    break
        return out


class RecordShapes(StreamCase):
    def test_new_and_old_images(self):
        t = self.create_table("tbl", stream="NEW_AND_OLD_IMAGES")
        arn = t["LatestStreamArn"]
        self.assertEqual(arn, table_arn("tbl") + "/stream/" + t["LatestStreamLabel"])
        now = self.now_s()
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "v": N(1)})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": N(2)})
        self.c.delete_item(TableName="tbl", Key={"pk": S("a")})
        recs = self.records(arn=arn)
        self.assertEqual([r["eventName"] for r in recs], ["INSERT", "MODIFY", "REMOVE"])
        for r in recs:
            self.assertEqual(r["eventVersion"], "1.1")
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["awsRegion"], "us-east-1")
            self.assertTrue(r["eventID"])
            self.assertNotIn("userIdentity", r)
            d = r["dynamodb"]
            self.assertEqual(d["Keys"], {"pk": S("a")})
            self.assertEqual(d["StreamViewType"], "NEW_AND_OLD_IMAGES")
            self.assertRegex(d["SequenceNumber"], r"^\d+$")
            self.assertGreater(d["SizeBytes"], 0)
            ts = d["ApproximateCreationDateTime"].timestamp()
            self.assertEqual(ts, int(ts), "ApproximateCreationDateTime is whole seconds")
            self.assertLess(abs(ts - now), 3)
        self.assertEqual(len({r["eventID"] for r in recs}), 3)
        ins, mod, rem = (r["dynamodb"] for r in recs)
        self.assertEqual(ins["NewImage"], {"pk": S("a"), "v": N(1)})
        self.assertNotIn("OldImage", ins)
        self.assertEqual(mod["OldImage"], {"pk": S("a"), "v": N(1)})
        self.assertEqual(mod["NewImage"], {"pk": S("a"), "v": N(2)})
        self.assertEqual(rem["OldImage"], {"pk": S("a"), "v": N(2)})
        self.assertNotIn("NewImage", rem)
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_view_types(self):
        want = {"KEYS_ONLY": (set(), set(), set()),
                "NEW_IMAGE": ({"NewImage"}, {"NewImage"}, set()),
                "OLD_IMAGE": (set(), {"OldImage"}, {"OldImage"}),
                "NEW_AND_OLD_IMAGES": ({"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"})}
        for vt in want:
            name = "t-" + vt.lower().replace("_", "-")
            self.create_table(name, range_key=("sk", "N"), stream=vt)
            key = {"pk": S("a"), "sk": N(1)}
            self.c.put_item(TableName=name, Item=dict(key, v=S("x")))
            self.c.put_item(TableName=name, Item=dict(key, v=S("y")))
            self.c.delete_item(TableName=name, Key=key)
            recs = self.records(name)
            self.assertEqual([r["eventName"] for r in recs], ["INSERT", "MODIFY", "REMOVE"], vt)
            for r, images in zip(recs, want[vt]):
                d = r["dynamodb"]
                self.assertEqual(d["StreamViewType"], vt)
                self.assertEqual(d["Keys"], key)
                self.assertEqual({k for k in d if k.endswith("Image")}, images, (vt, r))

    def test_record_times_follow_the_daemon_clock(self):
        self.create_table("tbl", stream="KEYS_ONLY")
        self.c.put_item(TableName="tbl", Item={"pk": S("a")})
        self.advance(7200)
        self.c.put_item(TableName="tbl", Item={"pk": S("b")})
        a, b = (r["dynamodb"]["ApproximateCreationDateTime"].timestamp()
                for r in self.records("tbl"))
        self.assertLess(abs((b - a) - 7200), 3)

    def test_raw_record_wire_shape(self):
        self.create_table("tbl", stream="KEYS_ONLY")
        self.c.put_item(TableName="tbl", Item={"pk": S("a")})
        arn = self.stream_arn("tbl")
        sid = self.shard_ids(arn)[0]
        it = self.raw_ok("GetShardIterator", {"StreamArn": arn, "ShardId": sid,
                                              "ShardIteratorType": "TRIM_HORIZON"},
                         STREAMS)["ShardIterator"]
        r = self.raw_ok("GetRecords", {"ShardIterator": it}, STREAMS)
        rec = r["Records"][0]
        self.assertEqual(set(rec), {"eventID", "eventName", "eventVersion", "eventSource",
                                    "awsRegion", "dynamodb"})
        self.assertIsInstance(rec["dynamodb"]["ApproximateCreationDateTime"], (int, float))
        self.assertIsInstance(rec["dynamodb"]["SequenceNumber"], str)
        self.assertIsInstance(rec["dynamodb"]["SizeBytes"], int)
        self.assertIn("NextShardIterator", r)


class WhatIsRecorded(StreamCase):
    def setUp(self):
        super().setUp()
        self.create_table("tbl", stream="NEW_AND_OLD_IMAGES")
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "v": N(1), "s": {"SS": ["x"]}})

    def test_no_record_for_writes_that_change_nothing(self):
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "v": N(1), "s": {"SS": ["x"]}})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": {"N": "1.0"}})
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="REMOVE nope")
        self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="ADD s :x",
                           ExpressionAttributeValues={":x": {"SS": ["x"]}})
        self.c.delete_item(TableName="tbl", Key={"pk": S("missing")})
        self.assertEqual([r["eventName"] for r in self.records("tbl")], ["INSERT"])

    def test_no_record_for_failed_writes(self):
        self.assert_error(self.c.put_item, "ConditionalCheckFailedException", TableName="tbl",
                          Item={"pk": S("a")}, ConditionExpression="attribute_not_exists(pk)")
        self.assert_error(self.c.update_item, "ValidationException", TableName="tbl",
                          Key={"pk": S("a")}, UpdateExpression="SET v = v + :s",
                          ExpressionAttributeValues={":s": S("x")})
        with self.assertRaises(self.c.exceptions.TransactionCanceledException):
            self.c.transact_write_items(TransactItems=[
                {"Put": {"TableName": "tbl", "Item": {"pk": S("b")}}},
                {"ConditionCheck": {"TableName": "tbl", "Key": {"pk": S("a")},
                                    "ConditionExpression": "attribute_not_exists(pk)"}}])
        self.assertEqual([r["eventName"] for r in self.records("tbl")], ["INSERT"])

    def test_event_names_follow_the_item_not_the_operation(self):
        # UpdateItem that creates an item: INSERT; PutItem over an item: MODIFY;
        # UpdateItem removing attributes: MODIFY; a transaction's Update creating: INSERT
        self.c.update_item(TableName="tbl", Key={"pk": S("u")}, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": N(1)})
        self.c.put_item(TableName="tbl", Item={"pk": S("u"), "w": N(2)})
        self.c.update_item(TableName="tbl", Key={"pk": S("u")}, UpdateExpression="REMOVE w")
        self.c.transact_write_items(TransactItems=[
            {"Update": {"TableName": "tbl", "Key": {"pk": S("x")}, "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": N(1)}}}])
        recs = self.records("tbl")[1:]
        self.assertEqual([(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in recs],
                         [("INSERT", "u"), ("MODIFY", "u"), ("MODIFY", "u"), ("INSERT", "x")])
        self.assertEqual(recs[2]["dynamodb"]["NewImage"], {"pk": S("u")})
        self.assertEqual(recs[2]["dynamodb"]["OldImage"], {"pk": S("u"), "w": N(2)})

    def test_batch_and_transaction_writes_are_recorded(self):
        self.c.batch_write_item(RequestItems={"tbl": [
            {"PutRequest": {"Item": {"pk": S("b")}}},
            {"DeleteRequest": {"Key": {"pk": S("a")}}}]})
        self.c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "tbl", "Item": {"pk": S("c")}}},
            {"Update": {"TableName": "tbl", "Key": {"pk": S("b")}, "UpdateExpression": "SET w = :w",
                        "ExpressionAttributeValues": {":w": N(1)}}}])
        recs = self.records("tbl")
        got = sorted((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in recs[1:])
        self.assertEqual(got, [("INSERT", "b"), ("INSERT", "c"), ("MODIFY", "b"), ("REMOVE", "a")])
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        self.assertEqual(seqs, sorted(set(seqs)))


class Concurrency(StreamCase):
    def test_concurrent_writes_leave_exactly_their_records(self):
        """Every acknowledged write has exactly one record, a refused one none, in the order
        the writes were applied (the counter's images go 0 -> 1 -> 2 ... with no gaps)."""
        import threading
        self.create_table("tbl", stream="NEW_AND_OLD_IMAGES")
        self.c.put_item(TableName="tbl", Item={"pk": S("ctr"), "n": N(0)})
        ok, refused, errors = [], [], []
        lock = threading.Lock()

        def worker(w):
            c = self.d.client("dynamodb")
            for i in range(15):
                cur = c.get_item(TableName="tbl", Key={"pk": S("ctr")}, ConsistentRead=True)
                n = int(cur["Item"]["n"]["N"])
                try:
                    c.update_item(TableName="tbl", Key={"pk": S("ctr")},
                                  UpdateExpression="SET n = :new", ConditionExpression="n = :old",
                                  ExpressionAttributeValues={":new": N(n + 1), ":old": N(n)})
                    with lock:
                        ok.append(n + 1)
                except c.exceptions.ConditionalCheckFailedException:
                    with lock:
                        refused.append(n)
                except Exception as e:  # noqa: BLE001
                    with lock:
                        errors.append(repr(e))
                c.put_item(TableName="tbl", Item={"pk": S("w%d-%d" % (w, i))})

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        final = int(self.c.get_item(TableName="tbl", Key={"pk": S("ctr")})["Item"]["n"]["N"])
        self.assertEqual(sorted(ok), list(range(1, final + 1)))
        recs = self.records("tbl")
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        self.assertEqual(seqs, sorted(set(seqs)))
        ctr = [r for r in recs if r["dynamodb"]["Keys"]["pk"]["S"] == "ctr"]
        self.assertEqual(ctr[0]["eventName"], "INSERT")
        self.assertEqual([int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in ctr],
                         list(range(0, final + 1)))
        for r in ctr[1:]:
            self.assertEqual(int(r["dynamodb"]["OldImage"]["n"]["N"]) + 1,
                             int(r["dynamodb"]["NewImage"]["n"]["N"]))
        others = sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in recs if r not in ctr)
        self.assertEqual(others, sorted("w%d-%d" % (w, i) for w in range(6) for i in range(15)))


class Iterators(StreamCase):
    def setUp(self):
        super().setUp()
        self.create_table("tbl", stream="KEYS_ONLY")
        for i in range(5):
            self.c.put_item(TableName="tbl", Item={"pk": S("k%d" % i)})
        self.arn = self.stream_arn("tbl")
        self.sid = self.shard_ids(self.arn)[0]

    def it(self, kind, **kw):
        return self.s.get_shard_iterator(StreamArn=self.arn, ShardId=self.sid,
                                         ShardIteratorType=kind, **kw)["ShardIterator"]

    def keys(self, recs):
        return [r["dynamodb"]["Keys"]["pk"]["S"] for r in recs]

    def test_describe_and_list(self):
        d = self.s.describe_stream(StreamArn=self.arn)["StreamDescription"]
        self.assertEqual(d["StreamArn"], self.arn)
        self.assertEqual(d["StreamStatus"], "ENABLED")
        self.assertEqual(d["StreamViewType"], "KEYS_ONLY")
        self.assertEqual(d["TableName"], "tbl")
        self.assertEqual(d["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(d["StreamLabel"], self.arn.rsplit("/", 1)[1])
        self.assertIn("CreationRequestDateTime", d)
        self.assertGreaterEqual(len(d["Shards"]), 1)
        sh = d["Shards"][0]
        self.assertTrue(sh["ShardId"].startswith("shardId-"))
        first = self.s.get_records(ShardIterator=self.it("TRIM_HORIZON"))["Records"][0]
        self.assertLessEqual(int(sh["SequenceNumberRange"]["StartingSequenceNumber"]),
                             int(first["dynamodb"]["SequenceNumber"]))
        self.assertNotIn("EndingSequenceNumber", d["Shards"][-1]["SequenceNumberRange"])
        self.create_table("other", stream="NEW_IMAGE")
        ls = self.s.list_streams()["Streams"]
        self.assertEqual(sorted(x["TableName"] for x in ls), ["other", "tbl"])
        for x in ls:
            self.assertEqual(set(x), {"StreamArn", "TableName", "StreamLabel"})
        ls = self.s.list_streams(TableName="tbl")["Streams"]
        self.assertEqual(ls, [{"StreamArn": self.arn, "TableName": "tbl",
                               "StreamLabel": d["StreamLabel"]}])
        p1 = self.s.list_streams(Limit=1)
        self.assertEqual(len(p1["Streams"]), 1)
        p2 = self.s.list_streams(Limit=1, ExclusiveStartStreamArn=p1["LastEvaluatedStreamArn"])
        self.assertEqual(len(p2["Streams"]), 1)
        self.assertNotEqual(p1["Streams"][0]["StreamArn"], p2["Streams"][0]["StreamArn"])

    def test_trim_horizon_limit_and_next_iterator(self):
        r = self.s.get_records(ShardIterator=self.it("TRIM_HORIZON"), Limit=2)
        self.assertEqual(self.keys(r["Records"]), ["k0", "k1"])
        r = self.s.get_records(ShardIterator=r["NextShardIterator"], Limit=2)
        self.assertEqual(self.keys(r["Records"]), ["k2", "k3"])
        r = self.s.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual(self.keys(r["Records"]), ["k4"])
        # an open shard always hands back a next iterator, which sees later writes
        r = self.s.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual(r["Records"], [])
        self.c.put_item(TableName="tbl", Item={"pk": S("k5")})
        r = self.s.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual(self.keys(r["Records"]), ["k5"])

    def test_latest_at_and_after(self):
        latest = self.it("LATEST")
        all_recs = self.s.get_records(ShardIterator=self.it("TRIM_HORIZON"))["Records"]
        seq2 = all_recs[2]["dynamodb"]["SequenceNumber"]
        r = self.s.get_records(ShardIterator=self.it("AT_SEQUENCE_NUMBER", SequenceNumber=seq2))
        self.assertEqual(self.keys(r["Records"]), ["k2", "k3", "k4"])
        r = self.s.get_records(ShardIterator=self.it("AFTER_SEQUENCE_NUMBER", SequenceNumber=seq2))
        self.assertEqual(self.keys(r["Records"]), ["k3", "k4"])
        self.assertEqual(self.s.get_records(ShardIterator=latest)["Records"], [])
        self.c.put_item(TableName="tbl", Item={"pk": S("k9")})
        self.assertEqual(self.keys(self.s.get_records(ShardIterator=latest)["Records"]), ["k9"])

    def test_iterator_expires_after_15_minutes(self):
        it = self.it("TRIM_HORIZON")
        self.advance(14 * 60)
        r = self.s.get_records(ShardIterator=it, Limit=1)
        self.assertEqual(self.keys(r["Records"]), ["k0"])
        nxt = r["NextShardIterator"]
        self.advance(2 * 60)
        self.assert_error(self.s.get_records, "ExpiredIteratorException", ShardIterator=it)
        # the iterator GetRecords handed out 2 minutes ago is still good
        self.assertEqual(self.keys(self.s.get_records(ShardIterator=nxt, Limit=1)["Records"]),
                         ["k1"])

    def test_records_trimmed_after_24_hours(self):
        old = self.s.get_records(ShardIterator=self.it("TRIM_HORIZON"))["Records"]
        self.advance(25 * 3600)
        self.c.put_item(TableName="tbl", Item={"pk": S("fresh")})
        recs = self.records("tbl")
        self.assertEqual(self.keys(recs), ["fresh"])
        self.assert_error(self.s.get_shard_iterator, "TrimmedDataAccessException",
                          StreamArn=self.arn, ShardId=self.sid,
                          ShardIteratorType="AT_SEQUENCE_NUMBER",
                          SequenceNumber=old[0]["dynamodb"]["SequenceNumber"])

    def test_errors(self):
        bad = table_arn("tbl") + "/stream/2000-01-01T00:00:00.000"
        self.assert_error(self.s.describe_stream, "ResourceNotFoundException", StreamArn=bad)
        self.assert_error(self.s.get_shard_iterator, "ResourceNotFoundException",
                          StreamArn=self.arn, ShardId="shardId-00000000000000000000-00000000",
                          ShardIteratorType="TRIM_HORIZON")
        self.assert_error(self.s.get_records, "ValidationException",
                          ShardIterator="not-an-iterator-at-all-" + "x" * 20)
        self.assert_error(self.s.get_shard_iterator, "ValidationException", StreamArn=self.arn,
                          ShardId=self.sid, ShardIteratorType="AT_SEQUENCE_NUMBER")


class EnableDisable(StreamCase):
    def test_disable_and_reenable_gives_a_new_stream(self):
        self.create_table("tbl")
        d = self.c.describe_table(TableName="tbl")["Table"]
        self.assertNotIn("LatestStreamArn", d)
        r = self.c.update_table(TableName="tbl", StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
        first = r["LatestStreamArn"]
        self.assertEqual(r["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.wait_status("tbl", "ACTIVE")
        self.c.put_item(TableName="tbl", Item={"pk": S("a")})
        self.assert_error(self.c.update_table, "ValidationException",
                          contains="already has an enabled stream", TableName="tbl",
                          StreamSpecification={"StreamEnabled": True,
                                               "StreamViewType": "KEYS_ONLY"})
        self.c.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": False})
        self.wait_status("tbl", "ACTIVE")
        old = self.s.describe_stream(StreamArn=first)["StreamDescription"]
        self.assertIn(old["StreamStatus"], ("DISABLING", "DISABLED"))
        # writes while the stream is off are not recorded anywhere
        self.c.put_item(TableName="tbl", Item={"pk": S("off")})
        self.advance(1)
        r = self.c.update_table(TableName="tbl", StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
        second = r["LatestStreamArn"]
        self.assertNotEqual(second, first)
        self.wait_status("tbl", "ACTIVE")
        self.c.put_item(TableName="tbl", Item={"pk": S("b")})
        self.assertEqual([x["dynamodb"]["Keys"]["pk"]["S"] for x in self.records(arn=first)], ["a"])
        self.assertEqual([x["dynamodb"]["Keys"]["pk"]["S"] for x in self.records(arn=second)], ["b"])
        arns = {x["StreamArn"] for x in self.s.list_streams(TableName="tbl")["Streams"]}
        self.assertEqual(arns, {first, second})

    def test_delete_table_disables_its_stream(self):
        t = self.create_table("tbl", stream="KEYS_ONLY")
        self.c.put_item(TableName="tbl", Item={"pk": S("a")})
        self.c.delete_table(TableName="tbl")
        self.wait_status("tbl", None)
        d = self.s.describe_stream(StreamArn=t["LatestStreamArn"])["StreamDescription"]
        self.assertIn(d["StreamStatus"], ("DISABLING", "DISABLED"))
        self.assertEqual([x["eventName"] for x in self.records(arn=t["LatestStreamArn"])],
                         ["INSERT"])


class TtlBeforeSweep(StreamCase):
    DAEMON_ARGS = ("--ttl-interval", "3600")

    def test_expired_items_are_still_returned(self):
        self.create_table("tbl", range_key=("sk", "N"))
        self.c.update_time_to_live(TableName="tbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        past = int(self.now_s()) - 100
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "sk": N(1), "exp": N(past)})
        self.advance(30)
        self.assertIn("Item", self.c.get_item(TableName="tbl", Key={"pk": S("a"), "sk": N(1)}))
        self.assertEqual(self.c.query(TableName="tbl", KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": S("a")})["Count"], 1)
        self.assertEqual(self.c.scan(TableName="tbl")["Count"], 1)


class TtlSweep(StreamCase):
    DAEMON_ARGS = ("--ttl-interval", "1")

    def wait_gone(self, key, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Item" not in self.c.get_item(TableName="tbl", Key=key):
                return True
            time.sleep(0.1)
        return False

    def test_sweep_deletes_expired_items_with_a_service_record(self):
        self.create_table("tbl", stream="NEW_AND_OLD_IMAGES",
                          gsis=[("byV", ("v", "S"), None, "KEYS_ONLY")])
        self.c.update_time_to_live(TableName="tbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        now = int(self.now_s())
        self.c.put_item(TableName="tbl", Item={"pk": S("soon"), "exp": N(now + 60), "v": S("x")})
        self.c.put_item(TableName="tbl", Item={"pk": S("later"), "exp": N(now + 100000)})
        self.c.put_item(TableName="tbl", Item={"pk": S("string"), "exp": S(str(now))})
        self.c.put_item(TableName="tbl", Item={"pk": S("none")})
        # more than five years in the past: DynamoDB does not delete it
        self.c.put_item(TableName="tbl", Item={"pk": S("ancient"), "exp": N(1000)})
        self.advance(120)
        self.assertTrue(self.wait_gone({"pk": S("soon")}), "expired item never swept")
        # its index entry went with it
        self.assertEqual(self.c.query(TableName="tbl", IndexName="byV",
                                      KeyConditionExpression="v = :v",
                                      ExpressionAttributeValues={":v": S("x")})["Count"], 0)
        for pk in ("later", "string", "none", "ancient"):
            self.assertIn("Item", self.c.get_item(TableName="tbl", Key={"pk": S(pk)}), pk)
        recs = self.records("tbl")
        self.assertEqual([r["eventName"] for r in recs], ["INSERT"] * 5 + ["REMOVE"])
        rem = recs[-1]
        self.assertEqual(rem["dynamodb"]["Keys"], {"pk": S("soon")})
        self.assertEqual(rem["dynamodb"]["OldImage"],
                         {"pk": S("soon"), "exp": N(now + 60), "v": S("x")})
        self.assertIn("userIdentity", rem)
        for r in recs[:-1]:
            self.assertNotIn("userIdentity", r)
        # on the wire: userIdentity {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
        # (DynamoDB developer guide, "DynamoDB Streams and Time to Live")
        arn = self.stream_arn("tbl")
        sid = self.shard_ids(arn)[0]
        it = self.raw_ok("GetShardIterator", {"StreamArn": arn, "ShardId": sid,
                                              "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                              "SequenceNumber": recs[-2]["dynamodb"]["SequenceNumber"]},
                         STREAMS)["ShardIterator"]
        raw = self.raw_ok("GetRecords", {"ShardIterator": it}, STREAMS)["Records"]
        self.assertEqual(len(raw), 1)
        self.assertEqual(raw[0]["userIdentity"],
                         {"type": "Service", "principalId": "dynamodb.amazonaws.com"})

    def test_disabled_ttl_deletes_nothing(self):
        self.create_table("tbl")
        self.create_table("off")
        self.c.update_time_to_live(TableName="tbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        now = int(self.now_s())
        self.c.put_item(TableName="off", Item={"pk": S("a"), "exp": N(now - 10)})
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "exp": N(now - 10)})
        self.advance(60)
        # once the sweep has removed t's item it has passed over "off" too
        self.assertTrue(self.wait_gone({"pk": S("a")}))
        self.assertIn("Item", self.c.get_item(TableName="off", Key={"pk": S("a")}))


if __name__ == "__main__":
    unittest.main()
