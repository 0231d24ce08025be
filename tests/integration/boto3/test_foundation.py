"""Foundation milestone, proven with boto3/botocore and raw HTTP against the real daemon.

Covers the /_awslet endpoints, routing of every protocol to its unknown-operation error shape,
request ids, body limit, CORS, the API Gateway data-plane placeholder, the test clock (restart and
kill -9 durability), graceful shutdown, command line and environment, --in-memory and the JSON
access log.  Each test starts its own daemon (port 0, temp data dir), so ctest -j is safe.
Run: AWSLET_BIN=build/awslet python3 -m unittest -v tests/integration/boto3/test_foundation.py
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
import zlib

import boto3  # noqa: F401  (imported before tests/integration joins sys.path: boto3/ is ours)
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import AwsletTestCase, awslet_bin, clean_env  # noqa: E402

SERVICES = ["sqs", "sns", "dynamodb", "dynamodbstreams", "logs", "lambda", "apigateway"]
JSON10 = "application/x-amz-json-1.0"
JSON11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"
SQS_NS = "http://queue.amazonaws.com/doc/2012-11-05/"
SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/"


def json_type(body_json):
    """botocore's rule: the error code is the text after '#' in __type (and before ':')."""
    return body_json["__type"].split("#")[-1].split(":")[0]


def parse_query_error(body):
    """<ErrorResponse xmlns=ns><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
    -> (namespace, {Type, Code, Message}, RequestId)"""
    root = ET.fromstring(body)
    m = re.match(r"(?:\{(.*)\})?ErrorResponse$", root.tag)
    if not m:
        raise AssertionError("not an ErrorResponse: %r" % body)
    ns = m.group(1) or ""
    q = lambda n: "{%s}%s" % (ns, n) if ns else n  # noqa: E731
    err = root.find(q("Error"))
    fields = {c.tag.split("}")[-1]: (c.text or "") for c in err}
    return ns, fields, root.findtext(q("RequestId"))


class CaptureRaw:
    """botocore 'after-call' hook: keeps the raw HTTP response of the last call (emitted before
    botocore raises ClientError, so it sees error responses too)."""

    def __init__(self, client):
        self.http = None
        client.meta.events.register("after-call.*.*", self._hook)

    def _hook(self, http_response, **_):
        self.http = http_response


class HealthInfoReset(AwsletTestCase):
    def test_health_shape(self):
        d = self.awslet()
        r = d.request("GET", "/_awslet/health")
        self.assertEqual(r.status, 200)
        self.assertIn("application/json", r.header("Content-Type", ""))
        self.assertEqual(r.json(), {"status": "running", "version": "0.1.0",
                                    "services": {s: "available" for s in SERVICES}})

    def test_info_shape(self):
        d = self.awslet()
        info = d.get_json("/_awslet/info")
        self.assertEqual(info["version"], "0.1.0")
        self.assertIsInstance(info["uptime_seconds"], (int, float))
        self.assertGreaterEqual(info["uptime_seconds"], 0)
        self.assertLess(info["uptime_seconds"], 60)
        self.assertEqual(os.path.realpath(info["data_dir"]), os.path.realpath(d.data_dir))
        self.assertTrue(os.path.isabs(info["data_dir"]))
        self.assertIs(info["in_memory"], False)
        self.assertIsInstance(info["schema_version"], int)
        self.assertGreaterEqual(info["schema_version"], 1)
        cfg = info["config"]
        self.assertEqual(set(cfg), {"host", "port", "region", "account_id", "log_level",
                                    "log_format", "max_body_size", "threads", "test_clock"})
        self.assertEqual(cfg["host"], "127.0.0.1")
        self.assertIn(cfg["port"], (0, d.port))   # configured 0, or the bound port
        self.assertEqual(cfg["region"], "us-east-1")
        self.assertEqual(cfg["account_id"], "000000000000")
        self.assertIn(cfg["log_level"], ("debug", "info", "warn", "error"))
        self.assertEqual(cfg["log_format"], "text")
        self.assertEqual(cfg["max_body_size"], 16777216)
        self.assertIsInstance(cfg["threads"], int)
        self.assertGreaterEqual(cfg["threads"], 1)
        self.assertIs(cfg["test_clock"], False)
        # the database lives where the docs say
        self.assertTrue(os.path.exists(os.path.join(d.data_dir, "awslet.db")))

    def test_info_reflects_flags(self):
        d = self.awslet(["--region", "eu-central-1", "--account-id", "123456789012",
                         "--log-level", "debug", "--max-body-size", "4096", "--threads", "3",
                         "--test-clock"])
        cfg = d.get_json("/_awslet/info")["config"]
        self.assertEqual(cfg["region"], "eu-central-1")
        self.assertEqual(cfg["account_id"], "123456789012")
        self.assertEqual(cfg["log_level"], "debug")
        self.assertEqual(cfg["max_body_size"], 4096)
        self.assertEqual(cfg["threads"], 3)
        self.assertIs(cfg["test_clock"], True)

    def test_reset(self):
        d = self.awslet(["--test-clock"])
        r = d.request("POST", "/_awslet/clock", json.dumps({"advance_ms": 5000}))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["offset_ms"], 5000)
        r = d.request("POST", "/_awslet/reset")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"status": "reset"})
        # reset wipes all state, the clock offset included
        self.assertEqual(d.get_json("/_awslet/clock")["offset_ms"], 0)
        self.assertEqual(d.request("GET", "/_awslet/health").status, 200)

    def test_unknown_awslet_path_is_404_json(self):
        d = self.awslet()
        r = d.request("GET", "/_awslet/nope")
        self.assertEqual(r.status, 404)
        self.assertIsInstance(r.json()["message"], str)

    def test_unmatched_request_is_404_unknown_operation(self):
        d = self.awslet()
        r = d.request("GET", "/definitely/not/an/aws/api")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["__type"], "UnknownOperationException")
        self.assertIn("message", r.json())


class UnknownOperationThroughBoto3(AwsletTestCase):
    """An operation awslet does not implement must come back as its protocol's error shape.
    SQS and DynamoDB are implemented, so they are probed with operation names they do not have
    (raw requests); the SDK calls go to services that have no operation yet."""

    def setUp(self):
        self.d = self.awslet()

    def call(self, service, op, **params):
        c = self.d.client(service)
        raw = CaptureRaw(c)
        with self.assertRaises(ClientError) as cm:
            getattr(c, op)(**params)
        return cm.exception.response, raw.http

    def assert_request_id(self, resp, http):
        rid = resp["ResponseMetadata"].get("RequestId")
        self.assertTrue(rid, resp)
        self.assertEqual(http.headers.get("x-amzn-RequestId"), rid)
        self.assertEqual(http.headers.get("x-amz-request-id"), rid)

    def test_sqs_unknown_operation_raw(self):
        # SQS is implemented, so an operation name it does not have proves the AWS JSON 1.0
        # unknown-operation shape for it (boto3 cannot send an operation outside its model)
        r = self.d.request("POST", "/", "{}", {"Content-Type": JSON10,
                                               "X-Amz-Target": "AmazonSQS.NoSuchOperation"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Content-Type", "").split(";")[0], JSON10)
        self.assertEqual(r.json()["__type"], "com.amazon.coral.service#UnknownOperationException")
        self.assertEqual(json_type(r.json()), "UnknownOperationException")
        rid = r.header("x-amzn-RequestId")
        self.assertTrue(rid, r)
        self.assertEqual(r.header("x-amz-request-id"), rid)
        # and the query protocol's shape for an action SQS does not have
        r = self.d.request("POST", "/", "Action=NoSuchAction&Version=2012-11-05",
                           {"Content-Type": FORM})
        self.assertEqual(r.status, 400, r)
        ns, f, xml_rid = parse_query_error(r.body)
        self.assertEqual(ns, SQS_NS)
        self.assertEqual(f["Code"], "InvalidAction")
        self.assertTrue(xml_rid)
        self.assertEqual(r.header("x-amzn-RequestId"), xml_rid)

    def test_dynamodb_json_with_crc32(self):
        # DynamoDB is implemented: an error of its own carries the CRC as well
        resp, http = self.call("dynamodb", "describe_table", TableName="no-such-table")
        self.assertEqual(resp["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assert_request_id(resp, http)
        crc = http.headers.get("x-amz-crc32")
        self.assertIsNotNone(crc, "DynamoDB response lacks x-amz-crc32")
        self.assertEqual(int(crc), zlib.crc32(http.content) & 0xFFFFFFFF)

    def test_dynamodb_crc32_raw_bytes(self):
        # same check on the exact bytes off the socket, including Content-Length
        r = self.d.request("POST", "/", "{}", {"Content-Type": JSON10,
                                               "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        self.assertEqual(r.status, 400)
        self.assertEqual(json_type(r.json()), "UnknownOperationException")
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        self.assertEqual(int(r.header("x-amz-crc32")), zlib.crc32(r.body) & 0xFFFFFFFF)

    def test_dynamodbstreams_json(self):
        # routed by X-Amz-Target although it signs as "dynamodb"
        resp, http = self.call("dynamodbstreams", "describe_stream",
                               StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/"
                                         "2026-01-01T00:00:00.000")
        self.assertEqual(resp["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assert_request_id(resp, http)

    def test_logs_json11(self):
        resp, http = self.call("logs", "describe_log_groups")
        self.assertEqual(resp["Error"]["Code"], "UnknownOperationException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assert_request_id(resp, http)

    def test_sns_query(self):
        resp, http = self.call("sns", "list_topics")
        self.assertEqual(resp["Error"]["Code"], "InvalidAction")
        self.assertEqual(resp["Error"]["Type"], "Sender")
        self.assertEqual(resp["Error"]["Message"],
                         "The action ListTopics is not valid for this web service.")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        ns, fields, xml_rid = parse_query_error(http.content)
        self.assertEqual(ns, SNS_NS)
        self.assertTrue(xml_rid)
        self.assertEqual(resp["ResponseMetadata"]["RequestId"], xml_rid)
        self.assertEqual(http.headers.get("x-amzn-RequestId"), xml_rid)

    def test_lambda_rest_json(self):
        resp, http = self.call("lambda", "list_functions")
        self.assertEqual(resp["Error"]["Code"], "UnknownOperationException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(http.headers.get("x-amzn-ErrorType", "").split(":")[0],
                         "UnknownOperationException")
        body = json.loads(http.content)
        self.assertEqual(body.get("Type"), "User")
        self.assertIsInstance(body.get("message"), str)
        self.assert_request_id(resp, http)

    def test_lambda_other_date_prefix_routes_to_lambda(self):
        # /2017-03-31/tags/{ARN} is ListTags: a Lambda REST path with a different date prefix
        resp, http = self.call("lambda", "list_tags",
                               Resource="arn:aws:lambda:us-east-1:000000000000:function:f")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(resp["Error"]["Code"], "UnknownOperationException")
        self.assertEqual(json.loads(http.content).get("Type"), "User")

    def test_apigateway_rest_json(self):
        resp, http = self.call("apigateway", "get_rest_apis")
        self.assertEqual(resp["Error"]["Code"], "UnknownOperationException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertIsInstance(json.loads(http.content).get("message"), str)
        self.assert_request_id(resp, http)


class QueryRouting(AwsletTestCase):
    """Query requests without SigV4: the service comes from Version or the SQS queue path."""

    def setUp(self):
        self.d = self.awslet()

    def post_form(self, path, form):
        return self.d.request("POST", path, form, {"Content-Type": FORM})

    def test_version_selects_sqs(self):
        r = self.post_form("/", "Action=NoSuchAction&Version=2012-11-05")
        self.assertEqual(r.status, 400, r)
        ns, f, rid = parse_query_error(r.body)
        self.assertEqual(ns, SQS_NS)
        self.assertEqual((f["Type"], f["Code"]), ("Sender", "InvalidAction"))
        self.assertEqual(f["Message"], "The action NoSuchAction is not valid for this web service.")
        self.assertEqual(rid, r.header("x-amzn-RequestId"))
        # a real SQS action answers in the SQS namespace too
        r = self.post_form("/", "Action=ListQueues&Version=2012-11-05")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ET.fromstring(r.body).tag, "{%s}ListQueuesResponse" % SQS_NS)

    def test_version_selects_sns(self):
        r = self.post_form("/", "Action=Publish&Version=2010-03-31")
        self.assertEqual(r.status, 400, r)
        ns, f, rid = parse_query_error(r.body)
        self.assertEqual(ns, SNS_NS)
        self.assertEqual(f["Code"], "InvalidAction")
        self.assertEqual(rid, r.header("x-amzn-RequestId"))

    def test_queue_path_is_sqs(self):
        r = self.post_form("/000000000000/orders", "Action=NoSuchAction&MessageBody=hi")
        self.assertEqual(r.status, 400, r)
        ns, f, _ = parse_query_error(r.body)
        self.assertEqual(ns, SQS_NS)
        self.assertEqual(f["Message"], "The action NoSuchAction is not valid for this web service.")
        # an SQS action on that (missing) queue gets SQS's own error
        r = self.post_form("/000000000000/orders", "Action=SendMessage&MessageBody=hi")
        self.assertEqual(r.status, 400, r)
        ns, f, _ = parse_query_error(r.body)
        self.assertEqual(ns, SQS_NS)
        self.assertEqual((f["Type"], f["Code"]), ("Sender", "AWS.SimpleQueueService.NonExistentQueue"))

    def test_sigv4_scope_selects_service(self):
        # no Version: the credential scope alone says sns
        auth = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, "
                "SignedHeaders=host, Signature=" + "0" * 64)
        r = self.d.request("POST", "/", "Action=ListTopics",
                           {"Content-Type": FORM, "Authorization": auth})
        self.assertEqual(r.status, 400, r)
        ns, f, _ = parse_query_error(r.body)
        self.assertEqual(ns, SNS_NS)
        self.assertEqual(f["Code"], "InvalidAction")


class SerializationErrors(AwsletTestCase):
    def test_malformed_json_body(self):
        d = self.awslet()
        for target, ctype in (("DynamoDB_20120810.ListWidgets", JSON10),
                              ("AmazonSQS.ListQueues", JSON10),
                              ("Logs_20140328.DescribeLogGroups", JSON11)):
            with self.subTest(target=target):
                r = d.request("POST", "/", '{"Limit": 1,', {"Content-Type": ctype,
                                                            "X-Amz-Target": target})
                self.assertEqual(r.status, 400, r)
                self.assertEqual(json_type(r.json()), "SerializationException")
                self.assertTrue(r.header("x-amzn-RequestId"))

    def test_body_must_be_an_object(self):
        d = self.awslet()
        r = d.request("POST", "/", "[1,2]", {"Content-Type": JSON10,
                                             "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        self.assertEqual(r.status, 400, r)
        self.assertIn(json_type(r.json()), ("SerializationException", "UnknownOperationException"))


class RequestIds(AwsletTestCase):
    def test_every_response_carries_a_request_id(self):
        d = self.awslet()
        reqs = [
            ("GET", "/_awslet/health", None, {}),
            ("GET", "/_awslet/info", None, {}),
            ("GET", "/_awslet/nope", None, {}),
            ("GET", "/_awslet/clock", None, {}),  # 403 without --test-clock
            ("POST", "/", "{}", {"Content-Type": JSON10, "X-Amz-Target": "AmazonSQS.ListQueues"}),
            ("POST", "/", "{}", {"Content-Type": JSON10,
                                 "X-Amz-Target": "DynamoDB_20120810.ListWidgets"}),
            ("POST", "/", "Action=ListTopics&Version=2010-03-31", {"Content-Type": FORM}),
            ("GET", "/2015-03-31/functions/", None, {}),
            ("GET", "/restapis", None, {}),
            ("GET", "/restapis/abc123/prod/_user_request_/x", None, {}),
            ("GET", "/no/such/thing", None, {}),
            ("OPTIONS", "/", None, {"Origin": "http://localhost:3000",
                                    "Access-Control-Request-Method": "POST"}),
        ]
        seen = set()
        for method, path, body, headers in reqs:
            with self.subTest(method=method, path=path, headers=headers):
                r = d.request(method, path, body, headers)
                rid = r.header("x-amzn-RequestId")
                self.assertTrue(rid, r)
                self.assertEqual(r.header("x-amz-request-id"), rid)
                self.assertNotIn(rid, seen, "request ids must be unique")
                seen.add(rid)
                if r.header("Content-Type", "").startswith("text/xml") or r.body.startswith(b"<"):
                    self.assertEqual(parse_query_error(r.body)[2], rid)


class BodyLimit(AwsletTestCase):
    def setUp(self):
        self.d = self.awslet(["--max-body-size", "1024"])

    def test_json_protocol(self):
        body = json.dumps({"ExclusiveStartTableName": "x" * 2048})
        r = self.d.request("POST", "/", body, {"Content-Type": JSON10,
                                               "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        self.assertEqual(r.status, 413, r)
        self.assertEqual(json_type(r.json()), "RequestEntityTooLarge")
        self.assertTrue(r.header("x-amzn-RequestId"))
        self.assertEqual(self.d.request("GET", "/_awslet/health").status, 200)

    def test_json_protocol_chunked(self):
        # no Content-Length: the limit must also hold for a streamed body
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=10)
        try:
            conn.request("POST", "/", body=iter([b'{"x":"' + b"y" * 1024, b"z" * 1024 + b'"}']),
                         headers={"Content-Type": JSON10,
                                  "X-Amz-Target": "DynamoDB_20120810.ListWidgets"},
                         encode_chunked=True)
            r = conn.getresponse()
            status, body = r.status, r.read()
        finally:
            conn.close()
        self.assertEqual(status, 413, body)
        self.assertEqual(json_type(json.loads(body)), "RequestEntityTooLarge")
        self.assertEqual(self.d.request("GET", "/_awslet/health").status, 200)

    def test_query_protocol(self):
        body = "Action=Publish&Version=2010-03-31&Message=" + "m" * 2048
        r = self.d.request("POST", "/", body, {"Content-Type": FORM})
        self.assertEqual(r.status, 413, r)
        ns, f, rid = parse_query_error(r.body)
        # the service is only named inside the (unread, too large) body: any namespace will do
        self.assertIn(ns, ("", SNS_NS, SQS_NS))
        self.assertEqual(f["Code"], "RequestEntityTooLarge")
        self.assertEqual(rid, r.header("x-amzn-RequestId"))
        self.assertEqual(self.d.request("GET", "/_awslet/health").status, 200)

    def test_rest_json_protocol(self):
        body = json.dumps({"FunctionName": "f", "Description": "d" * 2048})
        r = self.d.request("POST", "/2015-03-31/functions", body,
                           {"Content-Type": "application/json"})
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.header("x-amzn-ErrorType", "").split(":")[0], "RequestEntityTooLarge")
        self.assertIsInstance(r.json().get("message"), str)
        self.assertEqual(self.d.request("GET", "/_awslet/health").status, 200)

    def test_boto3_sees_413(self):
        c = self.d.client("dynamodb")
        with self.assertRaises(ClientError) as cm:
            c.put_item(TableName="orders", Item={"pk": {"S": "k" * 2048}})
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLarge")

    def test_boto3_sns_query_413(self):
        c = self.d.client("sns")
        with self.assertRaises(ClientError) as cm:
            c.publish(TopicArn="arn:aws:sns:us-east-1:000000000000:t", Message="m" * 2048)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLarge")

    def test_boto3_lambda_rest_413(self):
        c = self.d.client("lambda")
        with self.assertRaises(ClientError) as cm:
            c.invoke(FunctionName="f", Payload=json.dumps({"k": "v" * 2048}).encode())
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLarge")

    def test_small_body_still_served(self):
        body = json.dumps({"ExclusiveStartTableName": "x" * 900})
        self.assertLess(len(body), 1024)
        r = self.d.request("POST", "/", body, {"Content-Type": JSON10,
                                               "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(json_type(r.json()), "UnknownOperationException")


class Cors(AwsletTestCase):
    ORIGIN = "http://localhost:5173"

    def test_preflight(self):
        d = self.awslet()
        for path in ("/", "/2015-03-31/functions", "/000000000000/q"):
            with self.subTest(path=path):
                r = d.request("OPTIONS", path, None, {
                    "Origin": self.ORIGIN,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date"})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.header("Access-Control-Allow-Origin"), self.ORIGIN)
                methods = [m.strip().upper()
                           for m in r.header("Access-Control-Allow-Methods", "").split(",")]
                self.assertIn("POST", methods)
                allowed = r.header("Access-Control-Allow-Headers", "").lower()
                for h in ("content-type", "x-amz-target", "x-amz-date"):
                    self.assertIn(h, allowed)
                self.assertTrue(r.header("Access-Control-Max-Age", "").isdigit(), r)

    def test_headers_on_normal_responses(self):
        d = self.awslet()
        for method, path, body, headers in (
                ("GET", "/_awslet/health", None, {}),
                ("POST", "/", "{}", {"Content-Type": JSON10,
                                     "X-Amz-Target": "DynamoDB_20120810.ListWidgets"}),
                ("POST", "/", "Action=ListTopics&Version=2010-03-31", {"Content-Type": FORM})):
            with self.subTest(path=path, headers=headers):
                r = d.request(method, path, body, dict(headers, Origin=self.ORIGIN))
                self.assertEqual(r.header("Access-Control-Allow-Origin"), self.ORIGIN, r)
                exposed = [h.strip().lower()
                           for h in r.header("Access-Control-Expose-Headers", "").split(",")]
                self.assertIn("x-amzn-requestid", exposed)


class ApiGatewayDataPlane(AwsletTestCase):
    def test_missing_authentication_token(self):
        d = self.awslet()
        r = d.request("GET", "/restapis/abc123/prod/_user_request_/x")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})
        r = d.request("POST", "/restapis/abc123/prod/_user_request_/orders/1", '{"a":1}',
                      {"Content-Type": "application/json"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})
        r = d.request("GET", "/x", None, {"Host": "abc123.execute-api.localhost:%d" % d.port})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})
        # the control plane still answers as API Gateway on the plain host
        r = d.request("GET", "/restapis")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("x-amzn-ErrorType", "").split(":")[0],
                         "UnknownOperationException")


class TestClock(AwsletTestCase):
    def clock(self, d, advance=None, **body):
        if advance is not None:
            body["advance_ms"] = advance
        r = d.request("POST", "/_awslet/clock", json.dumps(body)) if body else \
            d.request("GET", "/_awslet/clock")
        return r

    def test_forbidden_without_flag_and_nothing_changes(self):
        d = self.awslet()
        r = self.clock(d)
        self.assertEqual(r.status, 403, r)
        self.assertIsInstance(r.json()["message"], str)
        r = self.clock(d, advance=60000)
        self.assertEqual(r.status, 403, r)
        self.assertIsInstance(r.json()["message"], str)
        self.assertEqual(d.stop(), 0)
        d.start(["--test-clock"], data_dir=d.data_dir)
        self.assertEqual(d.get_json("/_awslet/clock")["offset_ms"], 0)

    def test_advance_and_restart(self):
        d = self.awslet(["--test-clock"])
        c = d.get_json("/_awslet/clock")
        self.assertEqual(c["offset_ms"], 0)
        self.assertLess(abs(c["now_ms"] - time.time() * 1000), 5000)
        r = self.clock(d, advance=60000)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["offset_ms"], 60000)
        self.assertLess(abs(r.json()["now_ms"] - (time.time() * 1000 + 60000)), 5000)
        r = self.clock(d, advance_seconds=5)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["offset_ms"], 65000)
        self.assertEqual(d.stop(), 0)
        d.start(["--test-clock"], data_dir=d.data_dir)
        c = d.get_json("/_awslet/clock")
        self.assertEqual(c["offset_ms"], 65000)
        self.assertLess(abs(c["now_ms"] - (time.time() * 1000 + 65000)), 5000)

    def test_offset_survives_kill9(self):
        d = self.awslet(["--test-clock"])
        r = self.clock(d, advance=123000)
        self.assertEqual(r.status, 200, r)
        d.kill9()
        self.assertEqual(d.returncode, -signal.SIGKILL)
        d.start(["--test-clock"], data_dir=d.data_dir)
        self.assertEqual(d.get_json("/_awslet/clock")["offset_ms"], 123000)


class Shutdown(AwsletTestCase):
    def test_sigterm_exits_0_and_removes_wal(self):
        d = self.awslet(["--test-clock"])
        self.assertEqual(d.request("POST", "/_awslet/clock", '{"advance_ms": 1}').status, 200)
        self.assertEqual(d.request("POST", "/_awslet/reset").status, 200)
        self.assertTrue(os.path.exists(os.path.join(d.data_dir, "awslet.db")))
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        rc = d.wait_exit(5)
        self.assertIsNotNone(rc, "awslet did not exit within 5 s of SIGTERM")
        self.assertEqual(rc, 0)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertTrue(os.path.exists(os.path.join(d.data_dir, "awslet.db")))
        self.assertFalse(os.path.exists(os.path.join(d.data_dir, "awslet.db-wal")),
                         os.listdir(d.data_dir))

    def test_sigint_exits_0(self):
        d = self.awslet()
        d.signal(signal.SIGINT)
        self.assertEqual(d.wait_exit(5), 0)
        self.assertFalse(os.path.exists(os.path.join(d.data_dir, "awslet.db-wal")))

    def test_in_flight_upload_finishes(self):
        d = self.awslet()
        body = json.dumps({"ExclusiveStartTableName": "t" * 200}).encode()
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
                "X-Amz-Target: DynamoDB_20120810.ListWidgets\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % (d.port, JSON10, len(body))).encode()
        s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        try:
            s.sendall(head + body[:len(body) // 2])
            time.sleep(0.2)             # let the daemon read headers + half the body
            d.signal(signal.SIGTERM)
            time.sleep(0.3)             # the daemon is now shutting down with us mid-upload
            s.sendall(body[len(body) // 2:])
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        head_raw, _, resp_body = data.partition(b"\r\n\r\n")
        self.assertTrue(head_raw.startswith(b"HTTP/1.1 400"), data)
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head_raw)
        self.assertIsNotNone(m, data)
        self.assertEqual(len(resp_body), int(m.group(1)), data)
        self.assertEqual(json_type(json.loads(resp_body)), "UnknownOperationException")
        self.assertEqual(d.wait_exit(5), 0)


class Startup(AwsletTestCase):
    def test_existing_data_dir(self):
        d = self.awslet()
        v1 = d.get_json("/_awslet/info")["schema_version"]
        self.assertEqual(d.stop(), 0)
        d.start(data_dir=d.data_dir)
        self.assertEqual(d.request("GET", "/_awslet/health").status, 200)
        info = d.get_json("/_awslet/info")
        self.assertEqual(info["schema_version"], v1)
        self.assertEqual(os.path.realpath(info["data_dir"]), os.path.realpath(d.data_dir))

    def test_default_data_dir(self):
        # without --data-dir the database goes to ./.awslet (the harness runs it in d.tmp)
        d = self.new_awslet()
        d.start(["--port", "0", "--port-file", d.port_file], default_flags=False)
        info = d.get_json("/_awslet/info")
        self.assertEqual(os.path.realpath(info["data_dir"]),
                         os.path.realpath(os.path.join(d.tmp, ".awslet")))
        self.assertTrue(os.path.exists(os.path.join(d.tmp, ".awslet", "awslet.db")))

    def test_port_in_use_fails(self):
        # a second daemon on a busy port must fail, not share the port (SO_REUSEPORT would
        # split clients' requests between two databases)
        d = self.awslet()
        p = subprocess.Popen([awslet_bin(), "--port", str(d.port), "--data-dir",
                              os.path.join(d.tmp, "other")], env=clean_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=5)
            still_running = False
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            still_running = True
        self.assertFalse(still_running, "a second awslet started on port %d, which is in use:\n%s"
                         % (d.port, err.decode(errors="replace")))
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(err.strip(), "no error message on stderr")
        self.assertEqual(d.request("GET", "/_awslet/health").status, 200)


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.cwd = tempfile.TemporaryDirectory(prefix="awslet-cli-")
        self.addCleanup(self.cwd.cleanup)

    def run_bin(self, *args, env=None):
        try:
            return subprocess.run([awslet_bin(), *args], env=clean_env(env), capture_output=True,
                                  timeout=5, text=True, cwd=self.cwd.name)
        except subprocess.TimeoutExpired as e:
            self.fail("awslet %s did not exit (it should not start a server): %r" % (args, e))

    def test_version(self):
        r = self.run_bin("--version")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout.strip(), "awslet 0.1.0")

    def test_help(self):
        r = self.run_bin("--help")
        self.assertEqual(r.returncode, 0, r)
        for flag in ("--host", "--port", "--data-dir", "--in-memory", "--region", "--account-id",
                     "--log-level", "--log-format", "--max-body-size", "--threads",
                     "--test-clock", "--port-file", "--help", "--version"):
            self.assertIn(flag, r.stdout)

    def test_bad_flags_exit_2(self):
        for args in (["--no-such-flag"], ["--port", "notaport"], ["--port", "70000"],
                     ["--log-level", "loud"], ["--log-format", "xml"],
                     ["--max-body-size", "-5"], ["--threads", "zero"], ["--port"]):
            with self.subTest(args=args):
                r = self.run_bin(*args, "--data-dir", "/nonexistent-awslet-test-dir")
                self.assertEqual(r.returncode, 2, r)
                self.assertTrue(r.stderr.strip(), "no error message on stderr")

    def test_bad_env_value_exit_2(self):
        r = self.run_bin("--data-dir", "/nonexistent-awslet-test-dir",
                         env={"AWSLET_LOG_FORMAT": "xml"})
        self.assertEqual(r.returncode, 2, r)


class Environment(AwsletTestCase):
    def test_env_vars_configure_the_daemon(self):
        d = self.new_awslet()
        pf = os.path.join(d.tmp, "env-port")
        d.start(default_flags=False, port_file=pf, env={
            "AWSLET_PORT": "0", "AWSLET_PORT_FILE": pf, "AWSLET_DATA_DIR": d.data_dir,
            "AWSLET_REGION": "eu-west-2", "AWSLET_ACCOUNT_ID": "111122223333",
            "AWSLET_MAX_BODY_SIZE": "2048", "AWSLET_TEST_CLOCK": "1"})
        info = d.get_json("/_awslet/info")
        self.assertEqual(info["config"]["region"], "eu-west-2")
        self.assertEqual(info["config"]["account_id"], "111122223333")
        self.assertEqual(info["config"]["max_body_size"], 2048)
        self.assertIs(info["config"]["test_clock"], True)
        self.assertEqual(os.path.realpath(info["data_dir"]), os.path.realpath(d.data_dir))
        self.assertEqual(d.request("GET", "/_awslet/clock").status, 200)

    def test_flags_override_env(self):
        d = self.awslet(["--region", "ap-south-1"], env={"AWSLET_REGION": "eu-west-2"})
        self.assertEqual(d.get_json("/_awslet/info")["config"]["region"], "ap-south-1")

    def test_in_memory_env(self):
        d = self.awslet(env={"AWSLET_IN_MEMORY": "1"})
        self.assertIs(d.get_json("/_awslet/info")["in_memory"], True)
        self.assertFalse(os.path.exists(os.path.join(d.data_dir, "awslet.db")))


class InMemory(AwsletTestCase):
    def test_in_memory(self):
        d = self.awslet(["--in-memory", "--test-clock"])
        info = d.get_json("/_awslet/info")
        self.assertIs(info["in_memory"], True)
        self.assertIsNone(info["data_dir"])
        self.assertEqual(d.request("POST", "/_awslet/clock", '{"advance_ms": 7000}').status, 200)
        self.assertEqual(d.get_json("/_awslet/clock")["offset_ms"], 7000)
        r = d.client("dynamodb")
        self.assertEqual(r.list_tables()["TableNames"], [])
        self.assertFalse(os.path.exists(os.path.join(d.data_dir, "awslet.db")))
        if os.path.isdir(d.data_dir):
            self.assertEqual([f for f in os.listdir(d.data_dir) if f.startswith("awslet.db")], [])
        self.assertEqual(d.stop(), 0)
        # nothing persisted: a new in-memory daemon starts from zero
        d.start(["--in-memory", "--test-clock"], data_dir=d.data_dir)
        self.assertEqual(d.get_json("/_awslet/clock")["offset_ms"], 0)


class AccessLog(AwsletTestCase):
    KEYS = {"ts", "level", "msg", "service", "operation", "status", "latency_ms", "request_id",
            "method", "path"}

    def test_json_log_format(self):
        d = self.awslet(["--log-format", "json"])
        r1 = d.request("POST", "/", "{}", {"Content-Type": JSON10,
                                           "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        r2 = d.request("POST", "/", "Action=ListTopics&Version=2010-03-31", {"Content-Type": FORM})
        r3 = d.request("GET", "/2015-03-31/functions/")
        self.assertEqual(d.stop(), 0)
        records = []
        for line in d.log.splitlines():
            if not line.strip() or line.startswith("==== "):   # harness markers
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail("log line is not JSON: %r" % line)
            self.assertIsInstance(obj, dict, line)
            if obj.get("msg") == "request":
                records.append(obj)
        by_id = {rec.get("request_id"): rec for rec in records}
        for resp, service, op, method, path in (
                (r1, "dynamodb", "ListWidgets", "POST", "/"),
                (r2, "sns", "ListTopics", "POST", "/"),
                (r3, "lambda", "ListFunctions", "GET", "/2015-03-31/functions/")):
            with self.subTest(service=service):
                rec = by_id.get(resp.header("x-amzn-RequestId"))
                self.assertIsNotNone(rec, "no access-log record for %r in %r" % (resp, records))
                self.assertTrue(self.KEYS <= set(rec), rec)
                self.assertEqual(rec["service"], service)
                self.assertEqual(rec["operation"], op)
                self.assertEqual(rec["status"], resp.status)
                self.assertEqual(rec["method"], method)
                self.assertEqual(rec["path"], path)
                self.assertIsInstance(rec["latency_ms"], (int, float))
                self.assertGreaterEqual(rec["latency_ms"], 0)
                self.assertIsInstance(rec["ts"], (str, int, float))
                self.assertEqual(rec["level"].lower(), "info")

    def test_text_log_line(self):
        d = self.awslet()
        r = d.request("POST", "/", "{}", {"Content-Type": JSON10,
                                          "X-Amz-Target": "DynamoDB_20120810.ListWidgets"})
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(d.stop(), 0)
        lines = [l for l in d.log.splitlines() if rid in l]
        self.assertEqual(len(lines), 1, d.log)
        self.assertRegex(lines[0], r"(?i:INFO)\s+dynamodb ListWidgets 400 [0-9.]+ms %s POST /\s*$"
                         % re.escape(rid))


if __name__ == "__main__":
    unittest.main()
