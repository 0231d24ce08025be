"""Shared helpers for the DynamoDB / DynamoDB Streams integration tests (test_ddb_*.py).

DdbCase starts one real daemon per test (with --test-clock plus the class's DAEMON_ARGS) and
offers a boto3 client (self.c), a Streams client (self.s), the resource layer (self.r), raw
JSON 1.0 requests (self.raw / self.raw_error, for parameters the Debian botocore model lacks
such as DeletionProtectionEnabled and ReturnValuesOnConditionCheckFailure, and for checking
x-amz-crc32), table helpers and error assertions.

The expected behaviour is AWS's (DynamoDB developer guide and API reference; exact messages as
real DynamoDB returns them, see the comments next to each message).
"""

import json
import os
import sys
import time
import zlib

import boto3  # noqa: F401  (imported before tests/integration joins sys.path: boto3/ is ours)
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import ACCESS_KEY, REGION, SECRET_KEY, AwsletTestCase  # noqa: E402

JSON10 = "application/x-amz-json-1.0"
ACCT = "000000000000"
DDB_NS = "com.amazonaws.dynamodb.v20120810#"
# Real DynamoDB sends its validation errors from the Coral framework's namespace:
# {"__type":"com.amazon.coral.validate#ValidationException","message":"..."}
VALIDATE_NS = "com.amazon.coral.validate#"


def error_type(code):
    return (VALIDATE_NS if code == "ValidationException" else DDB_NS) + code


def table_arn(name, region=REGION, account=ACCT):
    return "arn:aws:dynamodb:%s:%s:table/%s" % (region, account, name)


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


class DdbCase(AwsletTestCase):
    """One daemon per test; DAEMON_ARGS are added to --test-clock."""

    DAEMON_ARGS = ()

    def setUp(self):
        self.d = self.awslet(["--test-clock"] + list(self.DAEMON_ARGS))
        self._clients()

    def _clients(self):
        self.c = self.d.client("dynamodb")
        self.s = self.d.client("dynamodbstreams")
        cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                     connect_timeout=5, read_timeout=15)
        self.r = boto3.resource("dynamodb", endpoint_url=self.d.url, region_name=REGION,
                                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                config=cfg)

    def restart(self, kill=False, extra=None):
        """Stop (SIGTERM, or SIGKILL when kill) and start again on the same data dir."""
        if kill:
            self.d.kill9()
        else:
            self.assertEqual(self.d.stop(), 0)
        self.d.start(["--test-clock"] + list(extra if extra is not None else self.DAEMON_ARGS))
        self._clients()

    # -- clock ------------------------------------------------------------------------------
    def advance(self, seconds):
        r = self.d.request("POST", "/_awslet/clock", json.dumps({"advance_ms": int(seconds * 1000)}))
        self.assertEqual(r.status, 200, r)

    def now_s(self):
        return self.d.get_json("/_awslet/clock")["now_ms"] / 1000.0

    # -- tables -----------------------------------------------------------------------------
    def create_table(self, name="t", hash_key=("pk", "S"), range_key=None, gsis=(), lsis=(),
                     stream=None, billing="PAY_PER_REQUEST", extra_attrs=(), wait=True, **kw):
        """gsis/lsis: (name, hash or None, range or None, projection) with keys as (attr, type);
        projection: "ALL", "KEYS_ONLY" or ["INCLUDE", [attrs]]."""
        attrs = {hash_key[0]: hash_key[1]}
        ks = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        if range_key:
            attrs[range_key[0]] = range_key[1]
            ks.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        for a, t in extra_attrs:
            attrs[a] = t

        def index(spec, glob):
            iname, h, rg, proj = spec
            iks = []
            h = h or hash_key
            attrs[h[0]] = h[1]
            iks.append({"AttributeName": h[0], "KeyType": "HASH"})
            if rg:
                attrs[rg[0]] = rg[1]
                iks.append({"AttributeName": rg[0], "KeyType": "RANGE"})
            if isinstance(proj, str):
                p = {"ProjectionType": proj}
            else:
                p = {"ProjectionType": proj[0], "NonKeyAttributes": list(proj[1])}
            out = {"IndexName": iname, "KeySchema": iks, "Projection": p}
            if glob and billing == "PROVISIONED":
                out["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            return out

        g = [index(x, True) for x in gsis]
        l = [index(x, False) for x in lsis]
        req = {"TableName": name, "KeySchema": ks,
               "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t}
                                        for a, t in attrs.items()],
               "BillingMode": billing}
        if billing == "PROVISIONED":
            req["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        if g:
            req["GlobalSecondaryIndexes"] = g
        if l:
            req["LocalSecondaryIndexes"] = l
        if stream:
            req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        req.update(kw)
        out = self.c.create_table(**req)["TableDescription"]
        if wait:
            self.wait_status(name, "ACTIVE")
        return out

    def wait_status(self, name, status, timeout=3.0):
        """Poll DescribeTable until TableStatus == status (or gone when status is None)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = self.c.describe_table(TableName=name)["Table"]
                if status is not None and last["TableStatus"] == status and all(
                        g.get("IndexStatus", "ACTIVE") == "ACTIVE"
                        for g in last.get("GlobalSecondaryIndexes", [])):
                    return last
            except ClientError as e:
                if status is None and e.response["Error"]["Code"] == "ResourceNotFoundException":
                    return None
                raise
            time.sleep(0.02)
        self.fail("table %s never reached %s (last %r)" % (name, status, last))

    def items(self, table, **kw):
        """Every item of a table (a full Scan, following LastEvaluatedKey)."""
        out = []
        kw = dict(kw, TableName=table)
        while True:
            r = self.c.scan(**kw)
            out += r["Items"]
            if "LastEvaluatedKey" not in r:
                return out
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    # -- errors -----------------------------------------------------------------------------
    def assert_error(self, fn, code, message=None, contains=None, regex=None, status=400, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        e = cm.exception
        self.assertEqual(e.response["Error"]["Code"], code, e.response)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status, e.response)
        msg = e.response["Error"].get("Message", "")
        if message is not None:
            self.assertEqual(msg, message)
        if contains is not None:
            self.assertIn(contains, msg)
        if regex is not None:
            self.assertRegex(msg, regex)
        return e

    def assert_validation(self, fn, message=None, **kw):
        """ValidationException: message is a str (exact) or a compiled regex."""
        if hasattr(message, "pattern"):
            return self.assert_error(fn, "ValidationException", regex=message, **kw)
        return self.assert_error(fn, "ValidationException", message=message, **kw)

    # -- raw JSON 1.0 -----------------------------------------------------------------------
    def raw(self, op, body, service="DynamoDB_20120810"):
        """POST one JSON 1.0 request; returns the harness Response after checking x-amz-crc32
        (DynamoDB signs every response body with it; DynamoDB Streams does too)."""
        r = self.d.request("POST", "/", json.dumps(body),
                           {"Content-Type": JSON10, "X-Amz-Target": "%s.%s" % (service, op),
                            "Authorization": "AWS4-HMAC-SHA256 Credential=%s/20250101/%s/"
                                             "dynamodb/aws4_request, SignedHeaders=host, "
                                             "Signature=0" % (ACCESS_KEY, REGION)})
        crc = r.header("x-amz-crc32")
        self.assertIsNotNone(crc, "no x-amz-crc32 on %s: %r" % (op, r))
        self.assertEqual(int(crc), zlib.crc32(r.body) & 0xffffffff, r)
        return r

    def raw_ok(self, op, body, service="DynamoDB_20120810"):
        r = self.raw(op, body, service)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def raw_error(self, op, body, code, message=None, contains=None, status=400):
        r = self.raw(op, body)
        self.assertEqual(r.status, status, r)
        j = r.json()
        self.assertEqual(j.get("__type"), error_type(code), j)
        self.assertIn("message", j, "DynamoDB's error bodies say 'message' in lower case")
        msg = j["message"]
        if message is not None:
            self.assertEqual(msg, message)
        if contains is not None:
            self.assertIn(contains, msg)
        return j
