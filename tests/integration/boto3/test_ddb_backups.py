"""DynamoDB on-demand backups: CreateBackup, DescribeBackup, ListBackups (table, time range,
type and paging), DeleteBackup, RestoreTableFromBackup (every item and index entry, overrides,
CREATING -> ACTIVE with RestoreSummary), DescribeContinuousBackups; a backup taken under
concurrent writes is one consistent snapshot; backups and restored tables survive a restart and
a kill -9; POST /_awslet/reset removes backups; the error cases with DynamoDB's codes.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_backups.py
"""

import re
import threading
import time
import unittest

from botocore.exceptions import ClientError

from ddb_base import ACCT, DdbCase, N, S, table_arn
from harness import REGION

ARN_RE = r"^arn:aws:dynamodb:%s:%s:table/%%s/backup/\d{14}-[0-9a-f]{8}$" % (REGION, ACCT)

# Items of every attribute type, keyed pk (S) + sk (N); g (S) feeds the GSI, l (N) the LSI.
EVERY_TYPE = [
    {"pk": S("a"), "sk": N(1), "g": S("G1"), "l": N(5), "s": S("text"), "n": N("-12500.25")},
    {"pk": S("a"), "sk": N(2), "g": S("G2"), "l": N(4), "b": {"B": b"\x00\x01\xff"},
     "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True}},
    {"pk": S("a"), "sk": N(3), "g": S("G1"), "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
     "bs": {"BS": [b"\x01", b"\x02"]}},
    {"pk": S("b"), "sk": N(1), "l": N(1),
     "m": {"M": {"in": {"L": [S("x"), N(1), {"M": {"deep": {"NULL": True}}}]}}},
     "empty": {"L": []}, "em": {"M": {}}},
    {"pk": S("c"), "sk": N(-7)},
]


def key_of(item):
    return (item["pk"]["S"], float(item["sk"]["N"]))


def sorted_items(items):
    return sorted(items, key=key_of)


class BackupBase(DdbCase):
    def make_source(self, name="src", billing="PAY_PER_REQUEST", **kw):
        self.create_table(name, range_key=("sk", "N"),
                          gsis=[("byG", ("g", "S"), ("sk", "N"), "ALL")],
                          lsis=[("byL", None, ("l", "N"), "KEYS_ONLY")], billing=billing, **kw)
        for it in EVERY_TYPE:
            self.c.put_item(TableName=name, Item=it)

    def backup(self, table, name="bk1"):
        return self.c.create_backup(TableName=table, BackupName=name)["BackupDetails"]

    def gsi_items(self, table, g):
        return self.c.query(TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": S(g)})["Items"]

    def lsi_items(self, table, pk):
        return self.c.query(TableName=table, IndexName="byL", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": S(pk)})["Items"]


class Backups(BackupBase):
    def test_create_and_describe(self):
        self.make_source(stream="NEW_IMAGE")
        self.c.update_time_to_live(TableName="src", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        src = self.c.describe_table(TableName="src")["Table"]
        before = self.now_s()
        d = self.backup("src", "first.backup-1")
        self.assertRegex(d["BackupArn"], ARN_RE % "src")
        self.assertEqual(d["BackupName"], "first.backup-1")
        self.assertEqual(d["BackupStatus"], "AVAILABLE")
        self.assertEqual(d["BackupType"], "USER")
        self.assertEqual(d["BackupSizeBytes"], src["TableSizeBytes"])
        self.assertGreater(d["BackupSizeBytes"], 0)
        created = d["BackupCreationDateTime"].timestamp()
        self.assertGreaterEqual(created, before - 0.001)
        self.assertLess(created, before + 5)
        # The ARN's number is the creation time in milliseconds.
        ms = int(re.search(r"/backup/(\d+)-", d["BackupArn"]).group(1))
        self.assertAlmostEqual(ms / 1000.0, created, delta=0.002)

        desc = self.c.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"]
        self.assertEqual(desc["BackupDetails"], d)
        st = desc["SourceTableDetails"]
        self.assertEqual(st["TableName"], "src")
        self.assertEqual(st["TableId"], src["TableId"])
        self.assertEqual(st["TableArn"], src["TableArn"])
        self.assertEqual(st["TableSizeBytes"], src["TableSizeBytes"])
        self.assertEqual(st["ItemCount"], len(EVERY_TYPE))
        self.assertEqual(st["KeySchema"], src["KeySchema"])
        self.assertEqual(st["TableCreationDateTime"], src["CreationDateTime"])
        self.assertEqual(st["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(st["ProvisionedThroughput"],
                         {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
        f = desc["SourceTableFeatureDetails"]
        self.assertEqual([x["IndexName"] for x in f["GlobalSecondaryIndexes"]], ["byG"])
        self.assertEqual(f["GlobalSecondaryIndexes"][0]["KeySchema"],
                         src["GlobalSecondaryIndexes"][0]["KeySchema"])
        self.assertEqual(f["GlobalSecondaryIndexes"][0]["Projection"], {"ProjectionType": "ALL"})
        self.assertEqual(f["LocalSecondaryIndexes"],
                         [{"IndexName": "byL", "KeySchema": src["LocalSecondaryIndexes"][0]["KeySchema"],
                           "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        self.assertEqual(f["StreamDescription"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.assertEqual(f["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        self.assertNotIn("SSEDescription", f)

    def test_features_only_what_the_table_had(self):
        self.create_table("plain", billing="PROVISIONED")
        d = self.backup("plain")
        desc = self.c.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"]
        self.assertNotIn("SourceTableFeatureDetails", desc)
        st = desc["SourceTableDetails"]
        self.assertEqual(st["BillingMode"], "PROVISIONED")
        self.assertEqual(st["ProvisionedThroughput"],
                         {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
        self.assertEqual(st["ItemCount"], 0)
        self.assertEqual(d["BackupSizeBytes"], 0)

    def test_sse_in_features(self):
        self.create_table("enc", SSESpecification={"Enabled": True, "SSEType": "KMS"})
        sse = self.c.describe_table(TableName="enc")["Table"]["SSEDescription"]
        d = self.backup("enc")
        f = self.c.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"][
            "SourceTableFeatureDetails"]
        self.assertEqual(f["SSEDescription"], sse)
        # The restore keeps the table's encryption unless overridden.
        r = self.c.restore_table_from_backup(TargetTableName="enc2", BackupArn=d["BackupArn"])
        self.assertEqual(r["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"],
                         sse["KMSMasterKeyArn"])

    def test_create_by_table_arn(self):
        self.create_table("byarn")
        d = self.c.create_backup(TableName=table_arn("byarn"), BackupName="viaArn")["BackupDetails"]
        self.assertRegex(d["BackupArn"], ARN_RE % "byarn")

    def test_list_filters_and_paging(self):
        self.create_table("one")
        self.create_table("two")
        made = []
        for i, t in enumerate(["one", "two", "one", "two", "one"]):
            made.append(self.raw_ok("CreateBackup", {"TableName": t, "BackupName": "bk%d" % i})[
                "BackupDetails"])
            self.advance(10)
        arns = [m["BackupArn"] for m in made]

        def listed(**kw):
            return [s["BackupArn"] for s in self.c.list_backups(**kw)["BackupSummaries"]]

        self.assertEqual(listed(), arns)
        self.assertEqual(listed(TableName="one"), [arns[0], arns[2], arns[4]])
        self.assertEqual(listed(TableName=table_arn("two")), [arns[1], arns[3]])
        self.assertEqual(listed(TableName="none"), [])

        # Summaries carry the backup's and the table's names.
        s = self.c.list_backups(TableName="two")["BackupSummaries"][0]
        t = self.c.describe_table(TableName="two")["Table"]
        self.assertEqual(s["TableName"], "two")
        self.assertEqual(s["TableId"], t["TableId"])
        self.assertEqual(s["TableArn"], t["TableArn"])
        self.assertEqual(s["BackupName"], "bk1")
        self.assertEqual(s["BackupStatus"], "AVAILABLE")
        self.assertEqual(s["BackupType"], "USER")
        self.assertEqual(s["BackupSizeBytes"], 0)

        # Lower bound inclusive, upper bound exclusive (API_ListBackups), to the millisecond.
        t1, t3 = made[1]["BackupCreationDateTime"], made[3]["BackupCreationDateTime"]
        r = self.raw_ok("ListBackups", {"TimeRangeLowerBound": t1, "TimeRangeUpperBound": t3})
        self.assertEqual([x["BackupArn"] for x in r["BackupSummaries"]], [arns[1], arns[2]])
        r = self.raw_ok("ListBackups", {"TimeRangeLowerBound": t1 + 0.001,
                                        "TimeRangeUpperBound": t3 + 0.001})
        self.assertEqual([x["BackupArn"] for x in r["BackupSummaries"]], [arns[2], arns[3]])
        r = self.raw_ok("ListBackups", {"TimeRangeLowerBound": t3 + 0.001})
        self.assertEqual([x["BackupArn"] for x in r["BackupSummaries"]], [arns[4]])

        # Types: USER by default; SYSTEM and AWS_BACKUP ones are never made here.
        self.assertEqual(listed(BackupType="USER"), arns)
        self.assertEqual(listed(BackupType="ALL"), arns)
        self.assertEqual(listed(BackupType="SYSTEM"), [])
        self.assertEqual(listed(BackupType="AWS_BACKUP"), [])

        # Paging with Limit: LastEvaluatedBackupArn only while more remain.
        pages, kw = [], {"Limit": 2}
        while True:
            r = self.c.list_backups(**kw)
            pages.append([x["BackupArn"] for x in r["BackupSummaries"]])
            if "LastEvaluatedBackupArn" not in r:
                break
            self.assertEqual(r["LastEvaluatedBackupArn"], pages[-1][-1])
            kw["ExclusiveStartBackupArn"] = r["LastEvaluatedBackupArn"]
        self.assertEqual(pages, [arns[0:2], arns[2:4], arns[4:5]])
        r = self.c.list_backups(Limit=5)
        self.assertEqual(len(r["BackupSummaries"]), 5)
        self.assertNotIn("LastEvaluatedBackupArn", r)
        # Paging with a filter, and from a backup deleted in between.
        r = self.c.list_backups(TableName="one", Limit=1)
        self.assertEqual(r["LastEvaluatedBackupArn"], arns[0])
        self.c.delete_backup(BackupArn=arns[0])
        self.assertEqual(listed(TableName="one", ExclusiveStartBackupArn=arns[0]),
                         [arns[2], arns[4]])

        # Backups outlive their table.
        self.c.delete_table(TableName="one")
        self.wait_status("one", None)
        self.assertEqual(listed(TableName="one"), [arns[2], arns[4]])
        desc = self.c.describe_backup(BackupArn=arns[2])["BackupDescription"]
        self.assertEqual(desc["SourceTableDetails"]["TableName"], "one")

    def test_list_limit_validation(self):
        # Raw requests: botocore refuses these before sending.
        self.raw_error("ListBackups", {"Limit": 0}, "ValidationException",
                       "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                       "constraint: Member must have value greater than or equal to 1")
        self.raw_error("ListBackups", {"Limit": 101}, "ValidationException",
                       "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                       "constraint: Member must have value less than or equal to 100")
        self.raw_error("ListBackups", {"BackupType": "MINE"}, "ValidationException",
                       "1 validation error detected: Value 'MINE' at 'backupType' failed to "
                       "satisfy constraint: Member must satisfy enum value set: "
                       "[USER, SYSTEM, AWS_BACKUP, ALL]")

    def test_delete(self):
        self.make_source()
        d = self.backup("src")
        r = self.c.delete_backup(BackupArn=d["BackupArn"])["BackupDescription"]
        self.assertEqual(r["BackupDetails"]["BackupStatus"], "DELETED")
        self.assertEqual(r["BackupDetails"]["BackupArn"], d["BackupArn"])
        self.assertEqual(r["SourceTableDetails"]["TableName"], "src")
        self.assertEqual(r["SourceTableDetails"]["ItemCount"], len(EVERY_TYPE))
        msg = "Backup not found: %s" % d["BackupArn"]
        self.assert_error(self.c.describe_backup, "BackupNotFoundException", msg,
                          BackupArn=d["BackupArn"])
        self.assert_error(self.c.delete_backup, "BackupNotFoundException", msg,
                          BackupArn=d["BackupArn"])
        self.assert_error(self.c.restore_table_from_backup, "BackupNotFoundException", msg,
                          BackupArn=d["BackupArn"], TargetTableName="x-restored")
        self.assertEqual(self.c.list_backups()["BackupSummaries"], [])
        # The source table is untouched.
        self.assertEqual(sorted_items(self.items("src")), sorted_items(EVERY_TYPE))

    def test_restore_equals_backup_time(self):
        self.make_source()
        src = self.c.describe_table(TableName="src")["Table"]
        snap = sorted_items(self.items("src"))
        d = self.backup("src")
        # Changes after the backup are not in it.
        self.c.put_item(TableName="src", Item={"pk": S("new"), "sk": N(1), "g": S("G1")})
        self.c.delete_item(TableName="src", Key={"pk": S("a"), "sk": N(1)})
        self.c.update_item(TableName="src", Key={"pk": S("b"), "sk": N(1)},
                           UpdateExpression="SET l = :l", ExpressionAttributeValues={":l": N(99)})

        r = self.c.restore_table_from_backup(TargetTableName="dst",
                                             BackupArn=d["BackupArn"])["TableDescription"]
        self.assertEqual(r["TableName"], "dst")
        self.assertEqual(r["TableArn"], table_arn("dst"))
        self.assertNotEqual(r["TableId"], src["TableId"])
        self.assertEqual(r["TableStatus"], "CREATING")
        rs = r["RestoreSummary"]
        self.assertEqual(rs["SourceBackupArn"], d["BackupArn"])
        self.assertEqual(rs["SourceTableArn"], src["TableArn"])
        self.assertEqual(rs["RestoreDateTime"], d["BackupCreationDateTime"])
        self.assertTrue(rs["RestoreInProgress"])
        self.assertEqual(r["KeySchema"], src["KeySchema"])
        self.assertEqual(sorted(r["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
                         sorted(src["AttributeDefinitions"], key=lambda a: a["AttributeName"]))
        self.assertEqual(r["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

        t = self.wait_status("dst", "ACTIVE")
        self.assertFalse(t["RestoreSummary"]["RestoreInProgress"])
        self.assertEqual(t["RestoreSummary"]["SourceBackupArn"], d["BackupArn"])
        self.assertEqual(t["ItemCount"], len(EVERY_TYPE))
        self.assertEqual(t["TableSizeBytes"], d["BackupSizeBytes"])
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["byG"])
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexArn"], table_arn("dst") + "/index/byG")
        self.assertEqual(t["LocalSecondaryIndexes"][0]["Projection"], {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(sorted_items(self.items("dst")), snap)
        # Index entries were built: the GSI and the LSI answer as the source's did.
        self.assertEqual(sorted_items(self.gsi_items("dst", "G1")),
                         sorted_items([i for i in snap if i.get("g") == S("G1")]))
        self.assertEqual(self.lsi_items("dst", "a"),
                         [{"pk": S("a"), "sk": N(2), "l": N(4)},
                          {"pk": S("a"), "sk": N(1), "l": N(5)}])
        # The restored table takes writes like any other.
        self.c.put_item(TableName="dst", Item={"pk": S("z"), "sk": N(0)})
        self.assertEqual(len(self.items("dst")), len(EVERY_TYPE) + 1)

    def test_restore_leaves_out_stream_ttl_tags(self):
        self.create_table("full", stream="KEYS_ONLY", Tags=[{"Key": "k", "Value": "v"}])
        self.c.update_time_to_live(TableName="full", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        d = self.backup("full")
        r = self.c.restore_table_from_backup(TargetTableName="bare", BackupArn=d["BackupArn"])
        self.assertNotIn("StreamSpecification", r["TableDescription"])
        self.assertNotIn("LatestStreamArn", r["TableDescription"])
        self.wait_status("bare", "ACTIVE")
        self.assertEqual(self.c.describe_time_to_live(TableName="bare")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})
        self.assertEqual(self.c.list_tags_of_resource(ResourceArn=table_arn("bare"))["Tags"], [])

    def test_restore_overrides(self):
        self.make_source()
        snap = sorted_items(self.items("src"))
        d = self.backup("src")
        r = self.c.restore_table_from_backup(
            TargetTableName="prov", BackupArn=d["BackupArn"], BillingModeOverride="PROVISIONED",
            ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
            GlobalSecondaryIndexOverride=[], LocalSecondaryIndexOverride=[])["TableDescription"]
        self.assertNotIn("GlobalSecondaryIndexes", r)
        self.assertNotIn("LocalSecondaryIndexes", r)
        self.assertNotIn("BillingModeSummary", r)
        self.assertEqual(r["ProvisionedThroughput"]["ReadCapacityUnits"], 7)
        self.assertEqual(r["ProvisionedThroughput"]["WriteCapacityUnits"], 3)
        # Attribute definitions only for the keys that remain.
        self.assertEqual(sorted(a["AttributeName"] for a in r["AttributeDefinitions"]), ["pk", "sk"])
        self.wait_status("prov", "ACTIVE")
        self.assertEqual(sorted_items(self.items("prov")), snap)
        self.assert_validation(self.gsi_items, contains="index", table="prov", g="G1")

        # A different GSI (keys-only, on l) instead of the backed-up one.
        r = self.c.restore_table_from_backup(
            TargetTableName="regsi", BackupArn=d["BackupArn"],
            GlobalSecondaryIndexOverride=[{
                "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}])["TableDescription"]
        self.assertEqual(r["GlobalSecondaryIndexes"][0]["Projection"],
                         {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(r["GlobalSecondaryIndexes"][0]["KeySchema"],
                         [{"AttributeName": "g", "KeyType": "HASH"}])
        self.assertEqual(len(r["LocalSecondaryIndexes"]), 1)
        self.wait_status("regsi", "ACTIVE")
        self.assertEqual(sorted_items(self.gsi_items("regsi", "G1")),
                         [{"pk": S("a"), "sk": N(1), "g": S("G1")},
                          {"pk": S("a"), "sk": N(3), "g": S("G1")}])

        # A provisioned source restored on demand.
        self.create_table("psrc", billing="PROVISIONED", gsis=[("byG", ("g", "S"), None, "ALL")])
        self.c.put_item(TableName="psrc", Item={"pk": S("p"), "g": S("x")})
        d2 = self.backup("psrc")
        r = self.c.restore_table_from_backup(TargetTableName="pond", BackupArn=d2["BackupArn"],
                                             BillingModeOverride="PAY_PER_REQUEST")
        t = r["TableDescription"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 0)
        # ... and as it was.
        r = self.c.restore_table_from_backup(TargetTableName="pasis", BackupArn=d2["BackupArn"])
        t = r["TableDescription"]
        self.assertNotIn("BillingModeSummary", t)
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"], 5)
        self.wait_status("pasis", "ACTIVE")
        self.assertEqual(self.items("pasis"), [{"pk": S("p"), "g": S("x")}])

    def test_restore_from_deleted_table_and_restore_twice(self):
        self.make_source()
        snap = sorted_items(self.items("src"))
        d = self.backup("src")
        self.c.delete_table(TableName="src")
        self.wait_status("src", None)
        self.c.restore_table_from_backup(TargetTableName="src", BackupArn=d["BackupArn"])
        self.c.restore_table_from_backup(TargetTableName="src2", BackupArn=d["BackupArn"])
        self.wait_status("src", "ACTIVE")
        self.wait_status("src2", "ACTIVE")
        self.assertEqual(sorted_items(self.items("src")), snap)
        self.assertEqual(sorted_items(self.items("src2")), snap)

    def test_errors(self):
        self.create_table("here")
        self.assert_error(self.c.create_backup, "TableNotFoundException", "Table not found: nope",
                          TableName="nope", BackupName="bk1")
        self.assert_error(self.c.describe_continuous_backups, "TableNotFoundException",
                          "Table not found: nope", TableName="nope")
        # Raw requests for what botocore refuses before sending.
        self.raw_error("CreateBackup", {"TableName": "here", "BackupName": "x"},
                       "ValidationException",
                       "1 validation error detected: Value 'x' at 'backupName' failed to satisfy "
                       "constraint: Member must have length greater than or equal to 3")
        self.assert_validation(
            self.c.create_backup, "1 validation error detected: Value 'bad name' at 'backupName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+", TableName="here", BackupName="bad name")
        self.raw_error("DescribeBackup", {"BackupArn": "arn:short"}, "ValidationException",
                       "1 validation error detected: Value 'arn:short' at 'backupArn' failed to "
                       "satisfy constraint: Member must have length greater than or equal to 37")
        self.raw_error("CreateBackup", {"TableName": "here"}, "ValidationException",
                       "1 validation error detected: Value null at 'backupName' failed to "
                       "satisfy constraint: Member must not be null")
        missing = "arn:aws:dynamodb:%s:%s:table/here/backup/01700000000000-0123abcd" % (REGION, ACCT)
        self.assert_error(self.c.describe_backup, "BackupNotFoundException",
                          "Backup not found: " + missing, BackupArn=missing)
        self.assert_error(self.c.delete_backup, "BackupNotFoundException",
                          "Backup not found: " + missing, BackupArn=missing)
        self.assert_error(self.c.restore_table_from_backup, "BackupNotFoundException",
                          "Backup not found: " + missing, BackupArn=missing,
                          TargetTableName="fresh")
        d = self.backup("here")
        self.assert_error(self.c.restore_table_from_backup, "TableAlreadyExistsException",
                          "Table already exists: here", BackupArn=d["BackupArn"],
                          TargetTableName="here")
        self.raw_error("RestoreTableFromBackup", {"BackupArn": d["BackupArn"],
                                                  "TargetTableName": "a"}, "ValidationException",
                       "1 validation error detected: Value 'a' at 'targetTableName' failed to "
                       "satisfy constraint: Member must have length greater than or equal to 3")
        # A provisioned restore of an on-demand table needs the capacity.
        self.assert_error(self.c.restore_table_from_backup, "ValidationException",
                          BackupArn=d["BackupArn"], TargetTableName="noprov",
                          BillingModeOverride="PROVISIONED")
        with self.assertRaises(ClientError):
            self.c.describe_table(TableName="noprov")

    def test_continuous_backups(self):
        self.create_table("cbt")
        r = self.c.describe_continuous_backups(TableName="cbt")["ContinuousBackupsDescription"]
        self.assertEqual(r, {"ContinuousBackupsStatus": "ENABLED",
                             "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}})
        r = self.c.describe_continuous_backups(TableName=table_arn("cbt"))
        self.assertEqual(r["ContinuousBackupsDescription"]["ContinuousBackupsStatus"], "ENABLED")
        # Point-in-time recovery stays unimplemented.
        self.assert_error(self.c.update_continuous_backups, "UnknownOperationException",
                          TableName="cbt", PointInTimeRecoverySpecification={
                              "PointInTimeRecoveryEnabled": True})

    def test_reset_removes_backups(self):
        self.make_source()
        d = self.backup("src")
        self.assertEqual(self.d.request("POST", "/_awslet/reset").status, 200)
        self.assertEqual(self.c.list_backups()["BackupSummaries"], [])
        self.assert_error(self.c.describe_backup, "BackupNotFoundException",
                          BackupArn=d["BackupArn"])

    def test_survives_restart_and_kill9(self):
        self.make_source()
        snap = sorted_items(self.items("src"))
        d = self.backup("src")
        desc = self.c.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"]
        self.restart()
        self.assertEqual(self.c.describe_backup(BackupArn=d["BackupArn"])["BackupDescription"], desc)
        # kill -9 straight after the 200s of a backup and a restore.
        d2 = self.backup("src", "second")
        self.c.restore_table_from_backup(TargetTableName="dst", BackupArn=d2["BackupArn"])
        self.restart(kill=True)
        self.assertEqual([s["BackupArn"] for s in self.c.list_backups()["BackupSummaries"]],
                         [d["BackupArn"], d2["BackupArn"]])
        t = self.wait_status("dst", "ACTIVE")
        self.assertEqual(t["RestoreSummary"]["SourceBackupArn"], d2["BackupArn"])
        self.assertEqual(sorted_items(self.items("dst")), snap)
        self.assertEqual(sorted_items(self.gsi_items("dst", "G2")),
                         [i for i in snap if i.get("g") == S("G2")])


class BackupsWithDelay(BackupBase):
    DAEMON_ARGS = ("--ddb-status-delay-ms", "60000")

    def test_restore_creating_then_active(self):
        self.create_table("src", range_key=("sk", "N"),
                          gsis=[("byG", ("g", "S"), ("sk", "N"), "ALL")],
                          lsis=[("byL", None, ("l", "N"), "KEYS_ONLY")], wait=False)
        # A table still CREATING cannot be backed up.
        self.assert_error(self.c.create_backup, "TableInUseException", TableName="src",
                          BackupName="early")
        self.advance(61)
        self.wait_status("src", "ACTIVE")
        for it in EVERY_TYPE:
            self.c.put_item(TableName="src", Item=it)
        d = self.backup("src")

        r = self.c.restore_table_from_backup(TargetTableName="dst", BackupArn=d["BackupArn"])
        self.assertEqual(r["TableDescription"]["TableStatus"], "CREATING")
        self.assertEqual(r["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"],
                         "CREATING")
        t = self.c.describe_table(TableName="dst")["Table"]
        self.assertEqual(t["TableStatus"], "CREATING")
        self.assertTrue(t["RestoreSummary"]["RestoreInProgress"])
        # While the restore runs: the backup is in use, the target name is taken.
        self.assert_error(self.c.delete_backup, "BackupInUseException", BackupArn=d["BackupArn"])
        self.assert_error(self.c.restore_table_from_backup, "TableInUseException",
                          TargetTableName="dst", BackupArn=d["BackupArn"])
        # The data plane refuses a CREATING table, as for CreateTable.
        self.assert_error(self.c.scan, "ResourceNotFoundException", TableName="dst")

        self.advance(61)
        t = self.c.describe_table(TableName="dst")["Table"]
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertFalse(t["RestoreSummary"]["RestoreInProgress"])
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertEqual(sorted_items(self.items("dst")), sorted_items(EVERY_TYPE))
        self.assertEqual(self.c.delete_backup(BackupArn=d["BackupArn"])["BackupDescription"][
            "BackupDetails"]["BackupStatus"], "DELETED")
        # The restored table outlives its backup.
        self.assertEqual(len(self.items("dst")), len(EVERY_TYPE))


class BackupsUnderLoad(BackupBase):
    WRITERS = 4

    def test_backup_is_one_snapshot(self):
        """Each writer commits, in one TransactWriteItems, a pair of items (w, i, a/b) and its
        counter item (w = i). A consistent snapshot holds, per writer, a counter c and exactly
        the pairs 1..c, both halves of each."""
        self.create_table("load", range_key=("sk", "S"))
        stop = threading.Event()
        errors = []
        done = [0] * self.WRITERS

        def writer(w):
            c = self.d.client("dynamodb")
            i = 0
            try:
                while not stop.is_set():
                    i += 1
                    pk = S("w%d" % w)
                    c.transact_write_items(TransactItems=[
                        {"Put": {"TableName": "load",
                                 "Item": {"pk": pk, "sk": S("%06d#a" % i), "v": N(i)}}},
                        {"Put": {"TableName": "load",
                                 "Item": {"pk": pk, "sk": S("%06d#b" % i), "v": N(i)}}},
                        {"Update": {"TableName": "load", "Key": {"pk": pk, "sk": S("counter")},
                                    "UpdateExpression": "SET c = :i",
                                    "ExpressionAttributeValues": {":i": N(i)}}},
                    ])
                    done[w] = i
            except Exception as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(self.WRITERS)]
        for t in threads:
            t.start()
        backups = []
        try:
            while len(backups) < 6:
                if sum(done) >= (len(backups) + 1) * 12:
                    backups.append(self.backup("load", "snap%d" % len(backups)))
                elif errors or not any(t.is_alive() for t in threads):
                    break
                else:
                    time.sleep(0.002)  # polling the writers' progress, not waiting for AWS time
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertEqual(errors, [])
        self.assertEqual(len(backups), 6)

        sizes = []
        for n, b in enumerate(backups):
            name = "snap%d" % n
            self.c.restore_table_from_backup(TargetTableName=name, BackupArn=b["BackupArn"])
            self.wait_status(name, "ACTIVE")
            items = self.items(name, ConsistentRead=True)
            per = {}
            for it in items:
                per.setdefault(it["pk"]["S"], []).append(it)
            total = 0
            for pk, its in per.items():
                ctr = [x for x in its if x["sk"]["S"] == "counter"]
                self.assertEqual(len(ctr), 1, pk)
                c = int(ctr[0]["c"]["N"])
                pairs = sorted(x["sk"]["S"] for x in its if x["sk"]["S"] != "counter")
                want = sorted("%06d#%s" % (i, h) for i in range(1, c + 1) for h in "ab")
                self.assertEqual(pairs, want, "%s in %s: counter %d" % (pk, name, c))
                total += c
            self.assertEqual(self.c.describe_backup(BackupArn=b["BackupArn"])[
                "BackupDescription"]["SourceTableDetails"]["ItemCount"], len(items))
            sizes.append(total)
        # Later backups hold more: the writers kept going between them.
        self.assertEqual(sizes, sorted(sizes))
        self.assertLess(sizes[0], sizes[-1])


if __name__ == "__main__":
    unittest.main()
