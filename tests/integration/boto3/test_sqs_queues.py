"""SQS queues through boto3 (JSON 1.0) and raw HTTP against the real daemon.

Covers CreateQueue (standard/FIFO, name rules, idempotency, QueueNameExists, QueueDeletedRecently
and the 60 s rule on the test clock), DeleteQueue, ListQueues (prefix, paging), GetQueueUrl
(QueueOwnerAWSAccountId, QueueDoesNotExist mapped through x-amzn-query-error), Get/Set queue
attributes (All, ranges, Approximate* counts, timestamps, QueueArn from a 12-digit access key,
redrive policies), tags, Add/RemovePermission and PurgeQueue.  Each test starts its own daemon
with --test-clock and a fresh data dir.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_sqs_queues.py
"""

import json
import os
import sys
import time
import unittest
import xml.etree.ElementTree as ET

import boto3  # noqa: F401  (imported before tests/integration joins sys.path: boto3/ is ours)
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import AwsletTestCase  # noqa: E402

JSON10 = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded"
SQS_NS = "http://queue.amazonaws.com/doc/2012-11-05/"
ACCT = "000000000000"
OTHER = "111122223333"

NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"

# GetQueueAttributes(All) on a queue created without attributes (AWS's defaults; the model's
# CreateQueue documentation gives every default value).
STD_DEFAULTS = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
}
STD_KEYS = set(STD_DEFAULTS) | {"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp",
                                "SqsManagedSseEnabled"}
FIFO_EXTRA = {"FifoQueue": "true", "ContentBasedDeduplication": "false",
              "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"}


class SqsCase(AwsletTestCase):
    """A daemon with the test clock and a boto3 SQS client per test."""

    def setUp(self):
        self.d = self.awslet(["--test-clock"])
        self.c = self.d.client("sqs")

    # -- helpers -------------------------------------------------------------------------
    def url(self, name, account=ACCT):
        return "%s/%s/%s" % (self.d.url, account, name)

    def arn(self, name, account=ACCT, region="us-east-1"):
        return "arn:aws:sqs:%s:%s:%s" % (region, account, name)

    def advance(self, seconds):
        r = self.d.request("POST", "/_awslet/clock", json.dumps({"advance_ms": int(seconds * 1000)}))
        self.assertEqual(r.status, 200, r)

    def now_s(self):
        return self.d.get_json("/_awslet/clock")["now_ms"] // 1000

    def create(self, name, client=None, **attrs):
        c = client or self.c
        kw = {"QueueName": name}
        if attrs:
            kw["Attributes"] = {k: str(v) for k, v in attrs.items()}
        return c.create_queue(**kw)["QueueUrl"]

    def attrs(self, url, names=("All",), client=None):
        r = (client or self.c).get_queue_attributes(QueueUrl=url, AttributeNames=list(names))
        return r.get("Attributes", {})

    def assert_error(self, fn, code, status=400, exc=None, message=None, contains=None, **kw):
        """Call fn(**kw); require a ClientError with botocore's Error.Code (the query-era code
        taken from x-amzn-query-error), the HTTP status, and optionally the modeled exception
        class of self.c and the message."""
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        e = cm.exception
        self.assertEqual(e.response["Error"]["Code"], code, e.response)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status, e.response)
        if exc is not None:
            self.assertIsInstance(e, getattr(self.c.exceptions, exc), e.response)
        if message is not None:
            self.assertEqual(e.response["Error"]["Message"], message)
        if contains is not None:
            self.assertIn(contains, e.response["Error"]["Message"])
        return e

    def raw_json(self, op, body, **kw):
        return self.d.request("POST", "/", json.dumps(body),
                              {"Content-Type": JSON10, "X-Amz-Target": "AmazonSQS." + op}, **kw)

    def raw_query(self, path, form):
        return self.d.request("POST", path, form, {"Content-Type": FORM})


def xml_find(body, tag):
    """Text of every element named tag (any namespace) in an XML body."""
    root = ET.fromstring(body)
    return [e.text or "" for e in root.iter() if e.tag.split("}")[-1] == tag]


class CreateQueue(SqsCase):
    def test_standard_queue_url_and_defaults(self):
        url = self.create("orders")
        self.assertEqual(url, self.url("orders"))
        a = self.attrs(url)
        self.assertEqual(set(a), STD_KEYS, a)
        for k, v in STD_DEFAULTS.items():
            self.assertEqual(a[k], v, k)
        self.assertEqual(a["QueueArn"], self.arn("orders"))
        self.assertIn(a["SqsManagedSseEnabled"], ("true", "false"))
        for k in ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                  "FifoThroughputLimit", "RedrivePolicy", "Policy"):
            self.assertNotIn(k, a)

    def test_fifo_queue_url_and_defaults(self):
        url = self.create("orders.fifo", FifoQueue="true")
        self.assertEqual(url, self.url("orders.fifo"))
        a = self.attrs(url)
        self.assertEqual(set(a), STD_KEYS | set(FIFO_EXTRA), a)
        for k, v in dict(STD_DEFAULTS, **FIFO_EXTRA).items():
            self.assertEqual(a[k], v, k)
        self.assertEqual(a["QueueArn"], self.arn("orders.fifo"))

    def test_fifo_with_attributes(self):
        url = self.create("hi.fifo", FifoQueue="true", ContentBasedDeduplication="true",
                          DeduplicationScope="messageGroup",
                          FifoThroughputLimit="perMessageGroupId")
        a = self.attrs(url, ["ContentBasedDeduplication", "DeduplicationScope",
                             "FifoThroughputLimit", "FifoQueue"])
        self.assertEqual(a, {"ContentBasedDeduplication": "true", "FifoQueue": "true",
                             "DeduplicationScope": "messageGroup",
                             "FifoThroughputLimit": "perMessageGroupId"})

    def test_valid_names(self):
        for name in ("a", "A-b_9", "x" * 80, "y" * 75 + ".fifo"):
            with self.subTest(name=name):
                fifo = name.endswith(".fifo")
                url = self.create(name, **({"FifoQueue": "true"} if fifo else {}))
                self.assertEqual(url, self.url(name))

    def test_invalid_names(self):
        for name in ("x" * 81, "bad name", "bad.name", "bad/name", "bäd", "q!", "plain.fifo"):
            with self.subTest(name=name):
                self.assert_error(self.c.create_queue, "InvalidParameterValue", QueueName=name)
        for name in ("z" * 76 + ".fifo", "bad name.fifo", "a.b.fifo"):
            with self.subTest(name=name):
                self.assert_error(self.c.create_queue, "InvalidParameterValue", QueueName=name,
                                  Attributes={"FifoQueue": "true"})
        # the name was never created
        self.assertEqual(self.c.list_queues().get("QueueUrls", []), [])

    def test_empty_name_rejected(self):
        # ambiguous in AWS's docs (1-80 characters): either code is accepted here
        with self.assertRaises(ClientError) as cm:
            self.c.create_queue(QueueName="")
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("InvalidParameterValue", "MissingParameter"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_fifo_attribute_needs_fifo_suffix(self):
        self.assert_error(self.c.create_queue, "InvalidParameterValue", QueueName="nosuffix",
                          Attributes={"FifoQueue": "true"})
        self.assert_error(self.c.create_queue, "InvalidParameterValue", QueueName="has.fifo",
                          Attributes={"FifoQueue": "false"})

    def test_fifo_queue_false_is_a_standard_queue(self):
        url = self.create("explicit-std", FifoQueue="false")
        self.assertNotIn("FifoQueue", self.attrs(url))

    def test_fifo_only_attributes_rejected_on_standard(self):
        # AWS's docs list these as FIFO-only; which of the two codes AWS uses is not documented
        for k, v in (("ContentBasedDeduplication", "true"), ("DeduplicationScope", "queue"),
                     ("FifoThroughputLimit", "perQueue")):
            with self.subTest(attr=k):
                with self.assertRaises(ClientError) as cm:
                    self.c.create_queue(QueueName="std-" + k, Attributes={k: v})
                self.assertIn(cm.exception.response["Error"]["Code"],
                              ("InvalidAttributeName", "InvalidAttributeValue"))

    def test_idempotent_with_same_attributes(self):
        u1 = self.create("same", VisibilityTimeout=60, DelaySeconds=5)
        u2 = self.create("same", VisibilityTimeout=60, DelaySeconds=5)
        self.assertEqual(u1, u2)
        # attributes left out of the request are not compared
        self.assertEqual(self.create("same"), u1)
        self.assertEqual(self.create("same", VisibilityTimeout=60), u1)
        urls = self.c.list_queues()["QueueUrls"]
        self.assertEqual(urls, [u1])

    def test_default_value_given_explicitly_is_the_same(self):
        u1 = self.create("defaults")
        self.assertEqual(self.create("defaults", VisibilityTimeout=30, DelaySeconds=0), u1)

    def test_different_attributes_queue_name_exists(self):
        self.create("dup", VisibilityTimeout=60)
        e = self.assert_error(self.c.create_queue, "QueueAlreadyExists", 400, "QueueNameExists",
                              QueueName="dup", Attributes={"VisibilityTimeout": "31"})
        self.assertEqual(e.response["Error"].get("QueryErrorCode"), "QueueNameExists")
        # unchanged
        self.assertEqual(self.attrs(self.url("dup"), ["VisibilityTimeout"]),
                         {"VisibilityTimeout": "60"})

    def test_fifo_name_exists_with_different_content_dedup(self):
        self.create("d.fifo", FifoQueue="true")
        self.assert_error(self.c.create_queue, "QueueAlreadyExists", 400, "QueueNameExists",
                          QueueName="d.fifo",
                          Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})

    def test_invalid_attribute_on_create_creates_nothing(self):
        self.assert_error(self.c.create_queue, "InvalidAttributeValue", exc="InvalidAttributeValue",
                          QueueName="bad", Attributes={"VisibilityTimeout": "43201"})
        self.assert_error(self.c.create_queue, "InvalidAttributeName", exc="InvalidAttributeName",
                          QueueName="bad", Attributes={"NoSuchAttribute": "1"})
        self.assert_error(self.c.get_queue_url, NON_EXISTENT, QueueName="bad")

    def test_tags_on_create(self):
        url = self.c.create_queue(QueueName="tagged", tags={"team": "orders", "env": "dev"})["QueueUrl"]
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"],
                         {"team": "orders", "env": "dev"})

    def test_queue_deleted_recently_then_ok_after_60s(self):
        url = self.create("reuse", VisibilityTimeout=45)
        self.c.send_message(QueueUrl=url, MessageBody="old")
        self.c.delete_queue(QueueUrl=url)
        e = self.assert_error(self.c.create_queue, "AWS.SimpleQueueService.QueueDeletedRecently",
                              400, "QueueDeletedRecently", QueueName="reuse")
        self.assertTrue(e.response["Error"]["Message"])
        self.advance(30)
        self.assert_error(self.c.create_queue, "AWS.SimpleQueueService.QueueDeletedRecently",
                          400, "QueueDeletedRecently", QueueName="reuse")
        self.advance(31)
        self.assertEqual(self.create("reuse"), url)
        # a new queue: defaults, no old message
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "30")
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertNotIn("Messages", self.c.receive_message(QueueUrl=url))

    def test_deleted_recently_is_per_name(self):
        url = self.create("gone")
        self.c.delete_queue(QueueUrl=url)
        self.create("other")           # unrelated names are unaffected


class DeleteQueue(SqsCase):
    def test_delete(self):
        url = self.create("del")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.c.delete_queue(QueueUrl=url)
        self.assertEqual(self.c.list_queues().get("QueueUrls", []), [])
        self.assert_error(self.c.get_queue_url, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueName="del")
        self.assert_error(self.c.send_message, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=url, MessageBody="x")
        self.assert_error(self.c.get_queue_attributes, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=url, AttributeNames=["All"])

    def test_delete_missing(self):
        self.assert_error(self.c.delete_queue, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("never"))


class ListQueues(SqsCase):
    def test_empty(self):
        r = self.c.list_queues()
        self.assertEqual(r.get("QueueUrls", []), [])
        self.assertNotIn("NextToken", r)

    def test_prefix(self):
        for n in ("orders", "orders-dlq", "Orders-upper", "payments"):
            self.create(n)
        self.assertEqual(sorted(self.c.list_queues(QueueNamePrefix="orders")["QueueUrls"]),
                         sorted([self.url("orders"), self.url("orders-dlq")]))
        # case-sensitive
        self.assertEqual(self.c.list_queues(QueueNamePrefix="Orders")["QueueUrls"],
                         [self.url("Orders-upper")])
        self.assertEqual(self.c.list_queues(QueueNamePrefix="nomatch").get("QueueUrls", []), [])
        self.assertEqual(len(self.c.list_queues()["QueueUrls"]), 4)

    def test_paging_across_pages(self):
        names = ["page-%02d" % i for i in range(10)]
        for n in names:
            self.create(n)
        self.create("unrelated")
        seen, sizes, token, pages = [], [], None, 0
        while True:
            kw = {"QueueNamePrefix": "page-", "MaxResults": 3}
            if token:
                kw["NextToken"] = token
            r = self.c.list_queues(**kw)
            sizes.append(len(r.get("QueueUrls", [])))
            seen += r.get("QueueUrls", [])
            token = r.get("NextToken")
            pages += 1
            self.assertLess(pages, 10, "paging does not end")
            if not token:
                break
        self.assertEqual(sizes, [3, 3, 3, 1])
        self.assertEqual(len(seen), len(set(seen)), "a queue was listed twice")
        self.assertEqual(sorted(seen), sorted(self.url(n) for n in names))

    def test_paging_without_prefix_and_paginator(self):
        for i in range(7):
            self.create("q%d" % i)
        got = []
        for page in self.c.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page.get("QueueUrls", [])), 2)
            got += page.get("QueueUrls", [])
        self.assertEqual(sorted(got), sorted(self.url("q%d" % i) for i in range(7)))

    def test_no_next_token_without_max_results(self):
        for i in range(5):
            self.create("n%d" % i)
        r = self.c.list_queues()
        self.assertEqual(len(r["QueueUrls"]), 5)
        self.assertNotIn("NextToken", r)

    def test_max_results_range(self):
        self.create("one")
        for bad in (0, 1001, -1):
            with self.subTest(max_results=bad):
                self.assert_error(self.c.list_queues, "InvalidParameterValue", MaxResults=bad)
        self.assertEqual(self.c.list_queues(MaxResults=1000)["QueueUrls"], [self.url("one")])

    def test_accounts_and_regions_are_separate(self):
        other = self.d.client("sqs", access_key=OTHER)
        west = self.d.client("sqs", region="eu-west-1")
        self.create("mine")
        self.create("theirs", client=other)
        self.assertEqual(self.c.list_queues()["QueueUrls"], [self.url("mine")])
        self.assertEqual(other.list_queues()["QueueUrls"], [self.url("theirs", OTHER)])
        self.assertEqual(west.list_queues().get("QueueUrls", []), [])
        with self.assertRaises(ClientError) as cm:
            west.get_queue_url(QueueName="mine")
        self.assertEqual(cm.exception.response["Error"]["Code"], NON_EXISTENT)


class GetQueueUrl(SqsCase):
    def test_get_queue_url(self):
        url = self.create("orders")
        self.assertEqual(self.c.get_queue_url(QueueName="orders")["QueueUrl"], url)

    def test_url_host_follows_the_host_the_client_used(self):
        self.create("hosted")
        local = self.d.client("sqs")
        local.meta.events.register("before-send.*.*", self._rewrite_host)
        self.assertEqual(local.get_queue_url(QueueName="hosted")["QueueUrl"],
                         "http://localhost:%d/%s/hosted" % (self.d.port, ACCT))

    def _rewrite_host(self, request, **_):
        request.headers["Host"] = "localhost:%d" % self.d.port

    def test_non_existent_queue(self):
        raw = []
        self.c.meta.events.register("after-call.*.*",
                                    lambda http_response, **_: raw.append(http_response))
        with self.assertRaises(self.c.exceptions.QueueDoesNotExist) as cm:
            self.c.get_queue_url(QueueName="missing")
        e = cm.exception
        self.assertEqual(e.response["Error"]["Code"], NON_EXISTENT)
        self.assertEqual(e.response["Error"]["QueryErrorCode"], "QueueDoesNotExist")
        self.assertEqual(e.response["Error"]["Type"], "Sender")
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(e.response["Error"]["Message"])
        http = raw[-1]
        self.assertEqual(http.headers["x-amzn-query-error"], NON_EXISTENT + ";Sender")
        body = json.loads(http.content)
        self.assertEqual(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist")
        self.assertEqual(http.headers.get("Content-Type", "").split(";")[0], JSON10)

    def test_queue_owner_account_id(self):
        other = self.d.client("sqs", access_key=OTHER)
        theirs = self.create("shared", client=other)
        self.assertEqual(theirs, self.url("shared", OTHER))
        # without the owner, the caller's own account is searched
        self.assert_error(self.c.get_queue_url, NON_EXISTENT, QueueName="shared")
        got = self.c.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=OTHER)["QueueUrl"]
        self.assertEqual(got, theirs)
        self.assert_error(self.c.get_queue_url, NON_EXISTENT, QueueName="shared",
                          QueueOwnerAWSAccountId="999999999999")
        # the URL names the account: it addresses that queue from any caller
        self.c.send_message(QueueUrl=got, MessageBody="cross-account")
        m = other.receive_message(QueueUrl=theirs)["Messages"]
        self.assertEqual(m[0]["Body"], "cross-account")


class QueueAddressing(SqsCase):
    def test_query_request_addressed_by_path(self):
        self.create("bypath", VisibilityTimeout=77)
        r = self.raw_query("/%s/bypath" % ACCT,
                           "Action=GetQueueAttributes&Version=2012-11-05"
                           "&AttributeName.1=VisibilityTimeout")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(xml_find(r.body, "Name"), ["VisibilityTimeout"])
        self.assertEqual(xml_find(r.body, "Value"), ["77"])
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, "{%s}GetQueueAttributesResponse" % SQS_NS)

    def test_query_path_to_missing_queue(self):
        r = self.raw_query("/%s/nope" % ACCT, "Action=GetQueueAttributes&Version=2012-11-05"
                                              "&AttributeName.1=All")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(xml_find(r.body, "Code"), [NON_EXISTENT])
        self.assertEqual(xml_find(r.body, "Type"), ["Sender"])

    def test_queue_url_with_another_host(self):
        # a stored URL from another host (or port) still names account and queue
        self.create("elsewhere")
        url = "http://localhost:4566/%s/elsewhere" % ACCT
        self.c.send_message(QueueUrl=url, MessageBody="hi")
        a = self.attrs(self.url("elsewhere"), ["ApproximateNumberOfMessages"])
        self.assertEqual(a, {"ApproximateNumberOfMessages": "1"})


class WireErrors(SqsCase):
    def test_json_missing_parameter(self):
        r = self.raw_json("CreateQueue", {})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("x-amzn-query-error"), "MissingParameter;Sender")
        self.assertTrue(r.json()["__type"].startswith("com.amazonaws.sqs#"))
        self.assertTrue(r.header("x-amzn-RequestId"))

    def test_json_missing_queue_url(self):
        r = self.raw_json("GetQueueAttributes", {"AttributeNames": ["All"]})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("x-amzn-query-error"), "MissingParameter;Sender")

    def test_query_missing_parameter(self):
        r = self.raw_query("/", "Action=CreateQueue&Version=2012-11-05")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(xml_find(r.body, "Code"), ["MissingParameter"])
        self.assertEqual(xml_find(r.body, "RequestId"), [r.header("x-amzn-RequestId")])

    def test_json_success_shape(self):
        r = self.raw_json("CreateQueue", {"QueueName": "raw"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type", "").split(";")[0], JSON10)
        self.assertEqual(r.json(), {"QueueUrl": self.url("raw")})
        self.assertTrue(r.header("x-amzn-RequestId"))

    def test_query_success_shape(self):
        r = self.raw_query("/", "Action=CreateQueue&Version=2012-11-05&QueueName=rawq"
                                "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40")
        self.assertEqual(r.status, 200, r)
        root = ET.fromstring(r.body)
        self.assertEqual(root.tag, "{%s}CreateQueueResponse" % SQS_NS)
        self.assertEqual(xml_find(r.body, "QueueUrl"), [self.url("rawq")])
        self.assertEqual(xml_find(r.body, "RequestId"), [r.header("x-amzn-RequestId")])
        self.assertEqual(self.attrs(self.url("rawq"), ["VisibilityTimeout"]),
                         {"VisibilityTimeout": "40"})


class QueueAttributes(SqsCase):
    RANGES = [
        # attribute, rejected values, accepted boundary values
        ("DelaySeconds", ["-1", "901", "abc", "1.5", ""], ["0", "900"]),
        ("MaximumMessageSize", ["1023", "1048577", "x"], ["1024", "1048576"]),
        ("MessageRetentionPeriod", ["59", "1209601"], ["60", "1209600"]),
        ("ReceiveMessageWaitTimeSeconds", ["-1", "21"], ["0", "20"]),
        ("VisibilityTimeout", ["-1", "43201"], ["0", "43200"]),
        ("KmsDataKeyReusePeriodSeconds", ["59", "86401"], ["60", "86400"]),
    ]

    def test_ranges_on_set(self):
        url = self.create("ranges")
        for name, bad, good in self.RANGES:
            for v in bad:
                with self.subTest(attr=name, value=v):
                    self.assert_error(self.c.set_queue_attributes, "InvalidAttributeValue", 400,
                                      "InvalidAttributeValue",
                                      message="Invalid value for the parameter %s." % name,
                                      QueueUrl=url, Attributes={name: v})
            for v in good:
                with self.subTest(attr=name, value=v):
                    extra = {}
                    if name.startswith("Kms"):
                        # AWS reports the data key period of SSE-KMS queues only
                        extra = {"KmsMasterKeyId": "alias/aws/sqs"}
                    self.c.set_queue_attributes(QueueUrl=url, Attributes=dict(extra, **{name: v}))
                    self.assertEqual(self.attrs(url, [name]), {name: v})

    def test_ranges_on_create(self):
        for name, bad, _ in self.RANGES:
            with self.subTest(attr=name):
                self.assert_error(self.c.create_queue, "InvalidAttributeValue", 400,
                                  "InvalidAttributeValue", QueueName="r-" + name,
                                  Attributes={name: bad[0]})

    def test_set_is_atomic(self):
        url = self.create("atomic")
        self.assert_error(self.c.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                          Attributes={"VisibilityTimeout": "100", "DelaySeconds": "901"})
        self.assertEqual(self.attrs(url, ["VisibilityTimeout"]), {"VisibilityTimeout": "30"})

    def test_unknown_attribute_names(self):
        url = self.create("names")
        self.assert_error(self.c.get_queue_attributes, "InvalidAttributeName", 400,
                          "InvalidAttributeName", message="Unknown Attribute Bogus.", QueueUrl=url,
                          AttributeNames=["Bogus"])
        self.assert_error(self.c.set_queue_attributes, "InvalidAttributeName", 400,
                          "InvalidAttributeName", QueueUrl=url, Attributes={"Bogus": "1"})
        # read-only attributes cannot be set
        for ro in ("QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp"):
            with self.subTest(attr=ro):
                with self.assertRaises(ClientError) as cm:
                    self.c.set_queue_attributes(QueueUrl=url, Attributes={ro: "1"})
                self.assertIn(cm.exception.response["Error"]["Code"],
                              ("InvalidAttributeName", "InvalidAttributeValue"))

    def test_fifo_queue_cannot_be_changed(self):
        url = self.create("std")
        with self.assertRaises(ClientError) as cm:
            self.c.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("InvalidAttributeName", "InvalidAttributeValue"))
        self.assertNotIn("FifoQueue", self.attrs(url))

    def test_named_subset(self):
        url = self.create("subset", DelaySeconds=3)
        a = self.attrs(url, ["DelaySeconds", "QueueArn"])
        self.assertEqual(a, {"DelaySeconds": "3", "QueueArn": self.arn("subset")})
        # no names: nothing returned
        r = self.c.get_queue_attributes(QueueUrl=url)
        self.assertEqual(r.get("Attributes", {}), {})

    def test_queue_arn_account_from_access_key_and_region(self):
        c = self.d.client("sqs", access_key=OTHER, region="eu-west-2")
        url = self.create("acct", client=c)
        self.assertEqual(url, self.url("acct", OTHER))
        a = self.attrs(url, ["QueueArn"], client=c)
        self.assertEqual(a["QueueArn"], "arn:aws:sqs:eu-west-2:%s:acct" % OTHER)

    def test_timestamps(self):
        self.advance(1000)     # proves the daemon's clock is the one used
        before = self.now_s()
        url = self.create("ts")
        a = self.attrs(url)
        created, modified = int(a["CreatedTimestamp"]), int(a["LastModifiedTimestamp"])
        self.assertLessEqual(abs(created - before), 2)
        self.assertGreater(created, int(time.time()) + 900)
        self.assertEqual(modified, created)
        self.advance(100)
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99"})
        a = self.attrs(url)
        self.assertEqual(int(a["CreatedTimestamp"]), created)
        self.assertIn(int(a["LastModifiedTimestamp"]) - created, (99, 100, 101))
        # reading or sending does not modify the queue
        self.advance(50)
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.assertEqual(self.attrs(url)["LastModifiedTimestamp"], a["LastModifiedTimestamp"])

    def test_approximate_counts(self):
        url = self.create("counts")
        for i in range(4):
            self.c.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.c.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=60)
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]

        def counts():
            a = self.attrs(url, names)
            return tuple(int(a[n]) for n in names)

        self.assertEqual(counts(), (4, 0, 1))
        got = self.c.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual(len(got), 2)
        self.assertEqual(counts(), (2, 2, 1))
        self.c.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        self.assertEqual(counts(), (2, 1, 1))
        self.advance(31)       # visibility of the other one ends (30 s)
        self.assertEqual(counts(), (3, 0, 1))
        self.advance(30)       # the delay ends (60 s)
        self.assertEqual(counts(), (4, 0, 0))

    def test_all_includes_optional_attributes_once_set(self):
        dlq = self.create("dlq")
        url = self.create("full")
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
             "Resource": self.arn("full")}]}
        redrive = {"deadLetterTargetArn": self.arn("dlq"), "maxReceiveCount": 3}
        allow = {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn("full")]}
        self.c.set_queue_attributes(QueueUrl=url, Attributes={
            "Policy": json.dumps(policy), "RedrivePolicy": json.dumps(redrive),
            "KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "600"})
        self.c.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy":
                                                               json.dumps(allow)})
        a = self.attrs(url)
        self.assertEqual(json.loads(a["Policy"]), policy)
        got = json.loads(a["RedrivePolicy"])
        self.assertEqual(got["deadLetterTargetArn"], self.arn("dlq"))
        self.assertEqual(int(got["maxReceiveCount"]), 3)
        self.assertEqual(a["KmsMasterKeyId"], "alias/aws/sqs")
        self.assertEqual(a["KmsDataKeyReusePeriodSeconds"], "600")
        self.assertEqual(json.loads(self.attrs(dlq)["RedriveAllowPolicy"]), allow)
        # removing: an empty value clears the policy
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": "", "Policy": ""})
        a = self.attrs(url)
        self.assertNotIn("RedrivePolicy", a)
        self.assertNotIn("Policy", a)

    def test_sse_attribute(self):
        url = self.create("sse", SqsManagedSseEnabled="false")
        self.assertEqual(self.attrs(url, ["SqsManagedSseEnabled"]), {"SqsManagedSseEnabled": "false"})
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
        self.assertEqual(self.attrs(url, ["SqsManagedSseEnabled"]), {"SqsManagedSseEnabled": "true"})

    def test_invalid_policy_json(self):
        url = self.create("pol")
        self.assert_error(self.c.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                          Attributes={"Policy": "{not json"})

    def test_fifo_high_throughput_values(self):
        url = self.create("ht.fifo", FifoQueue="true")
        for k, v in (("DeduplicationScope", "bogus"), ("FifoThroughputLimit", "bogus"),
                     ("ContentBasedDeduplication", "maybe")):
            with self.subTest(attr=k):
                self.assert_error(self.c.set_queue_attributes, "InvalidAttributeValue",
                                  QueueUrl=url, Attributes={k: v})
        # perMessageGroupId needs DeduplicationScope messageGroup (the model's rule)
        self.assert_error(self.c.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                          Attributes={"FifoThroughputLimit": "perMessageGroupId"})
        self.c.set_queue_attributes(QueueUrl=url, Attributes={
            "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
        self.assertEqual(self.attrs(url, ["DeduplicationScope", "FifoThroughputLimit"]),
                         {"DeduplicationScope": "messageGroup",
                          "FifoThroughputLimit": "perMessageGroupId"})

    def test_missing_queue(self):
        self.assert_error(self.c.set_queue_attributes, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"), Attributes={"DelaySeconds": "1"})


class RedrivePolicies(SqsCase):
    """RedrivePolicy / RedriveAllowPolicy rules.  AWS answers these with InvalidParameterValue
    ("Value ... for parameter RedrivePolicy is invalid. Reason: ...") in practice, but neither
    model documents the code, so InvalidAttributeValue is accepted too."""

    CODES = ("InvalidParameterValue", "InvalidAttributeValue")

    def rejected(self, url, attrs):
        with self.assertRaises(ClientError) as cm:
            self.c.set_queue_attributes(QueueUrl=url, Attributes=attrs)
        self.assertIn(cm.exception.response["Error"]["Code"], self.CODES, cm.exception.response)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def redrive(self, target, count=3):
        return {"RedrivePolicy": json.dumps({"deadLetterTargetArn": target,
                                             "maxReceiveCount": count})}

    def test_redrive_policy_rules(self):
        self.create("dlq")
        self.create("dlq.fifo", FifoQueue="true")
        src = self.create("src")
        fsrc = self.create("src.fifo", FifoQueue="true")
        self.rejected(src, self.redrive(self.arn("missing")))
        self.rejected(src, self.redrive(self.arn("dlq"), 0))
        self.rejected(src, self.redrive(self.arn("dlq"), 1001))
        self.rejected(src, {"RedrivePolicy": "{not json"})
        self.rejected(src, {"RedrivePolicy": json.dumps({"maxReceiveCount": 3})})
        # the DLQ must be of the same type
        self.rejected(src, self.redrive(self.arn("dlq.fifo")))
        self.rejected(fsrc, self.redrive(self.arn("dlq")))
        self.c.set_queue_attributes(QueueUrl=src, Attributes=self.redrive(self.arn("dlq"), 1000))
        self.c.set_queue_attributes(QueueUrl=fsrc, Attributes=self.redrive(self.arn("dlq.fifo"), 1))
        # maxReceiveCount given as a string is accepted (the CLI examples use "5")
        self.c.set_queue_attributes(QueueUrl=src, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": self.arn("dlq"), "maxReceiveCount": "5"})})
        self.assertEqual(int(json.loads(self.attrs(src)["RedrivePolicy"])["maxReceiveCount"]), 5)

    def test_redrive_allow_policy_enforced(self):
        dlq = self.create("dlq")
        a = self.create("a")
        b = self.create("b")
        self.c.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [self.arn("a")]})})
        self.c.set_queue_attributes(QueueUrl=a, Attributes=self.redrive(self.arn("dlq")))
        self.rejected(b, self.redrive(self.arn("dlq")))
        self.c.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "denyAll"})})
        self.rejected(b, self.redrive(self.arn("dlq")))
        self.c.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "allowAll"})})
        self.c.set_queue_attributes(QueueUrl=b, Attributes=self.redrive(self.arn("dlq")))

    def test_redrive_allow_policy_values(self):
        dlq = self.create("dlq")
        for bad in ({"redrivePermission": "sometimes"},
                    {"redrivePermission": "byQueue"},
                    {"redrivePermission": "allowAll", "sourceQueueArns": [self.arn("x")]},
                    {"redrivePermission": "byQueue",
                     "sourceQueueArns": [self.arn("s%d" % i) for i in range(11)]}):
            with self.subTest(policy=bad):
                self.rejected(dlq, {"RedriveAllowPolicy": json.dumps(bad)})

    def test_create_with_redrive_policy(self):
        self.create("dlq")
        url = self.c.create_queue(QueueName="src", Attributes=self.redrive(self.arn("dlq"), 4))
        url = url["QueueUrl"]
        self.assertEqual(json.loads(self.attrs(url)["RedrivePolicy"])["deadLetterTargetArn"],
                         self.arn("dlq"))


class Tags(SqsCase):
    def test_tag_untag_list(self):
        url = self.create("t")
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url).get("Tags", {}), {})
        self.c.tag_queue(QueueUrl=url, Tags={"a": "1", "b": "2"})
        self.c.tag_queue(QueueUrl=url, Tags={"b": "3", "c": ""})
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"],
                         {"a": "1", "b": "3", "c": ""})
        self.c.untag_queue(QueueUrl=url, TagKeys=["a", "nope"])
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"], {"b": "3", "c": ""})
        self.c.untag_queue(QueueUrl=url, TagKeys=["b", "c"])
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    def test_tags_on_missing_queue(self):
        u = self.url("nope")
        self.assert_error(self.c.tag_queue, NON_EXISTENT, 400, "QueueDoesNotExist", QueueUrl=u,
                          Tags={"a": "b"})
        self.assert_error(self.c.untag_queue, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=u, TagKeys=["a"])
        self.assert_error(self.c.list_queue_tags, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=u)

    def test_tags_do_not_change_attributes(self):
        url = self.create("t2")
        self.c.tag_queue(QueueUrl=url, Tags={"k": "v"})
        self.assertNotIn("Tags", self.attrs(url))


class Permissions(SqsCase):
    def policy(self, url):
        a = self.attrs(url, ["Policy"])
        return json.loads(a["Policy"]) if "Policy" in a else None

    @staticmethod
    def as_list(v):
        return v if isinstance(v, list) else [v]

    def test_add_and_remove_permission(self):
        url = self.create("perm")
        arn = self.arn("perm")
        self.c.add_permission(QueueUrl=url, Label="send-recv", AWSAccountIds=[OTHER],
                              Actions=["SendMessage", "ReceiveMessage"])
        p = self.policy(url)
        self.assertEqual(p["Version"], "2012-10-17")
        self.assertEqual(p["Id"], arn + "/SQSDefaultPolicy")
        self.assertEqual(len(p["Statement"]), 1)
        st = p["Statement"][0]
        self.assertEqual(st["Sid"], "send-recv")
        self.assertEqual(st["Effect"], "Allow")
        self.assertEqual(st["Resource"], arn)
        self.assertEqual(self.as_list(st["Principal"]["AWS"]), ["arn:aws:iam::%s:root" % OTHER])
        self.assertEqual(sorted(self.as_list(st["Action"])),
                         ["SQS:ReceiveMessage", "SQS:SendMessage"])
        self.c.add_permission(QueueUrl=url, Label="del", AWSAccountIds=[OTHER, "444455556666"],
                              Actions=["DeleteMessage"])
        p = self.policy(url)
        self.assertEqual([s["Sid"] for s in p["Statement"]], ["send-recv", "del"])
        st = p["Statement"][1]
        self.assertEqual(sorted(self.as_list(st["Principal"]["AWS"])),
                         ["arn:aws:iam::%s:root" % OTHER, "arn:aws:iam::444455556666:root"])
        self.assertEqual(self.as_list(st["Action"]), ["SQS:DeleteMessage"])
        # the same label twice is refused
        self.assert_error(self.c.add_permission, "InvalidParameterValue", QueueUrl=url,
                          Label="del", AWSAccountIds=[OTHER], Actions=["SendMessage"])
        self.c.remove_permission(QueueUrl=url, Label="send-recv")
        p = self.policy(url)
        self.assertEqual([s["Sid"] for s in p["Statement"]], ["del"])
        self.assert_error(self.c.remove_permission, "InvalidParameterValue", QueueUrl=url,
                          Label="send-recv")
        self.c.remove_permission(QueueUrl=url, Label="del")
        p = self.policy(url)
        self.assertTrue(p is None or p.get("Statement") == [], p)

    def test_permission_on_missing_queue(self):
        self.assert_error(self.c.add_permission, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"), Label="l", AWSAccountIds=[OTHER],
                          Actions=["SendMessage"])
        self.assert_error(self.c.remove_permission, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"), Label="l")


class PurgeQueue(SqsCase):
    def test_purge_and_purge_in_progress(self):
        url = self.create("purge")
        for i in range(3):
            self.c.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.c.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
        got = self.c.receive_message(QueueUrl=url)["Messages"]
        self.assertEqual(len(got), 1)
        self.c.purge_queue(QueueUrl=url)
        a = self.attrs(url)
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"],
                          a["ApproximateNumberOfMessagesDelayed"]), ("0", "0", "0"))
        self.assertNotIn("Messages", self.c.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
        e = self.assert_error(self.c.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress",
                              403, "PurgeQueueInProgress", QueueUrl=url)
        self.assertEqual(e.response["Error"]["Type"], "Sender")
        self.advance(59)
        self.assert_error(self.c.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress",
                          403, "PurgeQueueInProgress", QueueUrl=url)
        self.advance(2)
        self.c.send_message(QueueUrl=url, MessageBody="after")
        self.c.purge_queue(QueueUrl=url)
        self.assertEqual(self.attrs(url, ["ApproximateNumberOfMessages"]),
                         {"ApproximateNumberOfMessages": "0"})
        # the delayed message is gone too, even after its delay
        self.advance(40)
        self.assertNotIn("Messages", self.c.receive_message(QueueUrl=url, MaxNumberOfMessages=10))

    def test_purge_is_per_queue(self):
        a = self.create("pa")
        b = self.create("pb")
        self.c.purge_queue(QueueUrl=a)
        self.c.purge_queue(QueueUrl=b)

    def test_purge_missing_queue(self):
        self.assert_error(self.c.purge_queue, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"))


if __name__ == "__main__":
    unittest.main()
