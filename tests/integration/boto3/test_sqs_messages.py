"""SQS messages through boto3 (JSON 1.0) and raw HTTP against the real daemon.

Send/receive/delete with MD5s checked against AWS's algorithm computed here (botocore does not
verify them), message and system attributes, body characters and size limits, batch rules,
visibility timeouts, delays, long polling, FIFO order/deduplication/sequence numbers/receive
attempt ids, dead-letter queues and message move tasks, retention, and persistence across
kill -9.  Time-dependent rules use the daemon's --test-clock instead of sleeping.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_sqs_messages.py
"""

import hashlib
import http.client
import json
import os
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import boto3  # noqa: F401  (imported before tests/integration joins sys.path: boto3/ is ours)
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import AwsletTestCase  # noqa: E402

JSON10 = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded"
ACCT = "000000000000"
NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def md5_hex(data):
    return hashlib.md5(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest()


def md5_of_attributes(attrs):
    """AWS's MD5OfMessageAttributes (and MD5OfMessageSystemAttributes): names sorted; per
    attribute 4-byte big-endian length + UTF-8 name, length + DataType, one transport byte
    (1 for String/Number and their custom subtypes, 2 for Binary), length + value."""
    buf = bytearray()

    def put(b):
        buf.extend(len(b).to_bytes(4, "big"))
        buf.extend(b)

    for name in sorted(attrs):
        a = attrs[name]
        put(name.encode("utf-8"))
        put(a["DataType"].encode("utf-8"))
        if a["DataType"].startswith("Binary"):
            buf.append(2)
            put(bytes(a["BinaryValue"]))
        else:
            buf.append(1)
            put(a["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(buf)).hexdigest()


def plain_attrs(attrs):
    """Message attributes as sent: DataType plus StringValue or BinaryValue (drops the empty
    StringListValues/BinaryListValues some servers add)."""
    out = {}
    for k, v in (attrs or {}).items():
        out[k] = {f: v[f] for f in ("DataType", "StringValue", "BinaryValue") if f in v}
    return out


EVERY_TYPE = {
    "str": {"DataType": "String", "StringValue": "h\u00e9llo w\u00f6rld \u2713 \U0001F600"},
    "num": {"DataType": "Number", "StringValue": "-12.50"},
    "bin": {"DataType": "Binary", "BinaryValue": bytes(range(256))},
    "price": {"DataType": "Number.float", "StringValue": "3.14"},
    "img": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a\x01\x00\x01\x00\x00\xff"},
    "kind": {"DataType": "String.custom", "StringValue": "order"},
}


class Md5Algorithm(unittest.TestCase):
    def test_aws_test_vector(self):
        # aws-md5-of-message-attributes test vector (AWS-FACTS.md section 3)
        self.assertEqual(md5_of_attributes({"attribName1": {"DataType": "String",
                                                            "StringValue": "attribValue 1"}}),
                         "19e27d4e946b072f3f58da80d94fd778")


class SqsCase(AwsletTestCase):
    def setUp(self):
        self.d = self.awslet(["--test-clock"])
        self.c = self.d.client("sqs")

    def url(self, name):
        return "%s/%s/%s" % (self.d.url, ACCT, name)

    def arn(self, name):
        return "arn:aws:sqs:us-east-1:%s:%s" % (ACCT, name)

    def advance(self, seconds):
        r = self.d.request("POST", "/_awslet/clock", json.dumps({"advance_ms": int(seconds * 1000)}))
        self.assertEqual(r.status, 200, r)

    def now_ms(self):
        return self.d.get_json("/_awslet/clock")["now_ms"]

    def create(self, name, client=None, **attrs):
        kw = {"QueueName": name}
        if name.endswith(".fifo"):
            attrs.setdefault("FifoQueue", "true")
        if attrs:
            kw["Attributes"] = {k: str(v) for k, v in attrs.items()}
        return (client or self.c).create_queue(**kw)["QueueUrl"]

    def counts(self, url):
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]
        a = self.c.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return tuple(int(a[n]) for n in names)

    def receive(self, url, **kw):
        return self.c.receive_message(QueueUrl=url, **kw).get("Messages", [])

    def receive_one(self, url, **kw):
        msgs = self.receive(url, **kw)
        self.assertEqual(len(msgs), 1, msgs)
        return msgs[0]

    def drain(self, url, limit=30):
        """Receive and delete until the queue answers empty; the bodies in receive order."""
        bodies = []
        for _ in range(limit):
            msgs = self.receive(url, MaxNumberOfMessages=10)
            if not msgs:
                return bodies
            for m in msgs:
                bodies.append(m["Body"])
                self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.fail("queue never drained")

    def assert_error(self, fn, code, status=400, exc=None, contains=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        e = cm.exception
        self.assertEqual(e.response["Error"]["Code"], code, e.response)
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status, e.response)
        if exc is not None:
            self.assertIsInstance(e, getattr(self.c.exceptions, exc), e.response)
        if contains is not None:
            self.assertIn(contains, e.response["Error"]["Message"])
        return e

    def raw_json(self, op, body, timeout=30):
        return self.d.request("POST", "/", json.dumps(body),
                              {"Content-Type": JSON10, "X-Amz-Target": "AmazonSQS." + op},
                              timeout=timeout)


# ---------------------------------------------------------------------------------------------
class SendReceive(SqsCase):
    def test_round_trip_with_every_attribute_type(self):
        url = self.create("rt")
        self.advance(1000)          # SentTimestamp must come from the daemon's clock
        body = "order #1: caf\u00e9 \u2603 \U0001F680 <xml>&amp;</xml>\t\r\n"
        sent = self.c.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=EVERY_TYPE)
        now = self.now_ms()
        self.assertRegex(sent["MessageId"], UUID_RE)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(EVERY_TYPE))
        self.assertNotIn("MD5OfMessageSystemAttributes", sent)
        self.assertNotIn("SequenceNumber", sent)

        m = self.receive_one(url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))
        self.assertEqual(plain_attrs(m["MessageAttributes"]), EVERY_TYPE)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(EVERY_TYPE))
        self.assertTrue(m["ReceiptHandle"])
        a = m["Attributes"]
        self.assertTrue({"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                         "ApproximateFirstReceiveTimestamp"} <= set(a), a)
        for k in ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber",
                  "AWSTraceHeader", "DeadLetterQueueSourceArn"):
            self.assertNotIn(k, a)
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertTrue(a["SenderId"])
        sent_ts = int(a["SentTimestamp"])
        self.assertLessEqual(abs(sent_ts - now), 3000, (sent_ts, now))
        self.assertGreater(sent_ts, int(time.time() * 1000) + 900000)
        self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]), sent_ts)

        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.advance(31)
        self.assertEqual(self.receive(url), [])

    def test_no_attributes_no_attribute_md5(self):
        url = self.create("plain")
        sent = self.c.send_message(QueueUrl=url, MessageBody="x")
        self.assertEqual(set(sent) - {"ResponseMetadata"}, {"MessageId", "MD5OfMessageBody"})
        m = self.receive_one(url, MessageAttributeNames=["All"])
        self.assertNotIn("MD5OfMessageAttributes", m)
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("Attributes", m)        # none requested

    def test_raw_json_response_shapes(self):
        url = self.create("shape")
        r = self.raw_json("SendMessage", {"QueueUrl": url, "MessageBody": "hi"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), {"MessageId", "MD5OfMessageBody"})
        r = self.raw_json("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual(r.status, 200, r)
        msgs = r.json()["Messages"]
        self.assertEqual(set(msgs[0]), {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"})
        # an empty receive has no message list (AWS: "does not return a message list")
        r = self.raw_json("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json().get("Messages", []), [])
        r = self.raw_json("DeleteMessage", {"QueueUrl": url,
                                            "ReceiptHandle": msgs[0]["ReceiptHandle"]})
        self.assertEqual(r.status, 200, r)

    def test_message_attribute_name_filters(self):
        url = self.create("filter")
        attrs = {n: {"DataType": "String", "StringValue": "v-" + n}
                 for n in ("a.x", "a.y", "ab", "b")}
        self.c.send_message(QueueUrl=url, MessageBody="f", MessageAttributes=attrs)
        cases = [(["All"], set(attrs)), ([".*"], set(attrs)), (["a.*"], {"a.x", "a.y"}),
                 (["b"], {"b"}), (["b", "ab"], {"ab", "b"}), (["nomatch"], set()), ([], set())]
        for names, want in cases:
            with self.subTest(names=names):
                m = self.receive_one(url, MessageAttributeNames=names, VisibilityTimeout=0)
                got = m.get("MessageAttributes", {})
                self.assertEqual(set(got), want)
                if want:
                    sub = {k: attrs[k] for k in want}
                    self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(sub))
                else:
                    self.assertNotIn("MD5OfMessageAttributes", m)

    def test_system_attribute_filters(self):
        url = self.create("sysfilter")
        self.c.send_message(QueueUrl=url, MessageBody="s")
        m = self.receive_one(url, AttributeNames=["SentTimestamp"], VisibilityTimeout=0)
        self.assertEqual(set(m["Attributes"]), {"SentTimestamp"})
        m = self.receive_one(url, MessageSystemAttributeNames=["ApproximateReceiveCount",
                                                               "SenderId"], VisibilityTimeout=0)
        self.assertEqual(set(m["Attributes"]), {"ApproximateReceiveCount", "SenderId"})
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")

    def test_aws_trace_header(self):
        url = self.create("trace")
        sysattrs = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
        sent = self.c.send_message(QueueUrl=url, MessageBody="t", MessageSystemAttributes=sysattrs)
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], md5_of_attributes(sysattrs))
        self.assertNotIn("MD5OfMessageAttributes", sent)
        m = self.receive_one(url, MessageSystemAttributeNames=["AWSTraceHeader"],
                             MessageAttributeNames=["All"])
        self.assertEqual(m["Attributes"], {"AWSTraceHeader": TRACE})
        self.assertNotIn("MessageAttributes", m)     # a system attribute, not a user one
        self.assertNotIn("MD5OfMessageAttributes", m)

    def test_system_attribute_errors(self):
        url = self.create("trace-bad")
        for sysattrs in ({"Bogus": {"DataType": "String", "StringValue": "x"}},
                         {"AWSTraceHeader": {"DataType": "Binary", "BinaryValue": b"x"}}):
            with self.subTest(sysattrs=sysattrs):
                self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                                  MessageBody="x", MessageSystemAttributes=sysattrs)

    def test_message_attribute_errors(self):
        url = self.create("attr-errors")
        s = lambda v: {"DataType": "String", "StringValue": v}  # noqa: E731
        bad = [
            {"a%d" % i: s("v") for i in range(11)},                       # more than 10
            {"x": {"DataType": "Foo", "StringValue": "v"}},              # unknown type
            {"x": {"DataType": "Number", "StringValue": "abc"}},         # not a number
            {"x": {"DataType": "String", "StringValue": ""}},            # empty value
            {"x": {"DataType": "Binary", "StringValue": "text"}},        # wrong value member
            {"x": {"DataType": "String"}},                               # no value
            {"AWS.x": s("v")}, {"Amazon.y": s("v")}, {"aws.z": s("v")},   # reserved prefixes
            {".lead": s("v")}, {"trail.": s("v")}, {"a..b": s("v")},     # period rules
            {"bad name": s("v")}, {"n" * 257: s("v")},                   # charset, length
        ]
        for attrs in bad:
            with self.subTest(attrs=list(attrs)[:2]):
                self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                                  MessageBody="x", MessageAttributes=attrs)
        self.assertEqual(self.counts(url), (0, 0, 0))
        # the limits themselves are fine
        ok = {"a%d" % i: s("v") for i in range(10)}
        ok["a0"] = s("x" * 10)
        self.c.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ok)
        self.c.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"n" * 256: s("v")})

    def test_body_characters(self):
        url = self.create("chars")
        for ch in ("\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"):
            with self.subTest(ch=hex(ord(ch))):
                self.assert_error(self.c.send_message, "InvalidMessageContents", 400,
                                  "InvalidMessageContents", QueueUrl=url,
                                  MessageBody="ok" + ch + "ok")
        self.assertEqual(self.counts(url), (0, 0, 0))
        edge = "\t\n\r \x7f\u0080\ud7ff\ue000\ufffd\U00010000\U0010ffff"
        sent = self.c.send_message(QueueUrl=url, MessageBody=edge)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(edge))
        m = self.receive_one(url)
        self.assertEqual(m["Body"], edge)
        self.assertEqual(m["MD5OfBody"], md5_hex(edge))

    def test_body_characters_over_query(self):
        self.create("qchars")
        for enc in ("%00", "%01", "%0B", "%EF%BF%BE"):
            with self.subTest(enc=enc):
                r = self.d.request("POST", "/%s/qchars" % ACCT,
                                   "Action=SendMessage&Version=2012-11-05&MessageBody=a" + enc,
                                   {"Content-Type": FORM})
                self.assertEqual(r.status, 400, r)
                codes = [e.text for e in ET.fromstring(r.body).iter() if e.tag.endswith("Code")]
                self.assertEqual(codes, ["InvalidMessageContents"])
        r = self.d.request("POST", "/%s/qchars" % ACCT,
                           "Action=SendMessage&Version=2012-11-05&MessageBody=a%09%0A%0D%F0%9F%98%80",
                           {"Content-Type": FORM})
        self.assertEqual(r.status, 200, r)
        md5 = [e.text for e in ET.fromstring(r.body).iter() if e.tag.endswith("MD5OfMessageBody")]
        self.assertEqual(md5, [md5_hex("a\t\n\r\U0001F600")])

    def test_query_xml_escapes_quote_and_carriage_return(self):
        # SQS writes '"' as &quot; and CR as &#xD; in XML text (AWS-FACTS.md section 2), so the
        # body survives XML parsing byte for byte
        self.create("qesc")
        r = self.d.request("POST", "/%s/qesc" % ACCT,
                           "Action=SendMessage&Version=2012-11-05&MessageBody=a%0D%0A%22b%22%26%3C",
                           {"Content-Type": FORM})
        self.assertEqual(r.status, 200, r)
        r = self.d.request("POST", "/%s/qesc" % ACCT, "Action=ReceiveMessage&Version=2012-11-05",
                           {"Content-Type": FORM})
        self.assertEqual(r.status, 200, r)
        self.assertIn(b"<Body>a&#xD;\n&quot;b&quot;&amp;&lt;</Body>", r.body)
        body = [e.text for e in ET.fromstring(r.body).iter() if e.tag.split("}")[-1] == "Body"]
        self.assertEqual(body, ['a\r\n"b"&<'])

    def test_empty_body(self):
        # "The minimum size is one character"; AWS's code for an empty body is not documented
        url = self.create("empty")
        with self.assertRaises(ClientError) as cm:
            self.c.send_message(QueueUrl=url, MessageBody="")
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("MissingParameter", "InvalidParameterValue"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_size_limit_counts_body_and_attributes(self):
        url = self.create("small", MaximumMessageSize=1024)
        self.c.send_message(QueueUrl=url, MessageBody="a" * 1024)
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="a" * 1025)
        # bytes, not characters: 512 x U+00E9 is 1024 bytes
        self.c.send_message(QueueUrl=url, MessageBody="\u00e9" * 512)
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="\u00e9" * 513)
        # name (1) + DataType "String" (6) + value count towards the size
        self.c.send_message(QueueUrl=url, MessageBody="a" * 1000, MessageAttributes={
            "n": {"DataType": "String", "StringValue": "v" * 17}})
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="a" * 1000, MessageAttributes={
                              "n": {"DataType": "String", "StringValue": "v" * 18}})
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="a" * 1000, MessageAttributes={
                              "n": {"DataType": "Binary", "BinaryValue": b"\0" * 18}})
        # "The size of a message system attribute doesn't count towards the total size"
        self.c.send_message(QueueUrl=url, MessageBody="a" * 1024, MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
        self.assertEqual(self.counts(url)[0], 4)

    def test_default_size_limit_is_1_mib(self):
        url = self.create("big")
        body = "b" * 1048576
        sent = self.c.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody=body + "b")
        m = self.receive_one(url)
        self.assertEqual(len(m["Body"]), 1048576)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))

    def test_receive_parameter_ranges(self):
        url = self.create("ranges")
        for kw in ({"MaxNumberOfMessages": 0}, {"MaxNumberOfMessages": 11},
                   {"WaitTimeSeconds": -1}, {"WaitTimeSeconds": 21},
                   {"VisibilityTimeout": -1}, {"VisibilityTimeout": 43201}):
            with self.subTest(**kw):
                self.assert_error(self.c.receive_message, "InvalidParameterValue", QueueUrl=url,
                                  **kw)
        for kw in ({"DelaySeconds": -1}, {"DelaySeconds": 901}):
            with self.subTest(**kw):
                self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                                  MessageBody="x", **kw)
        # WaitTimeSeconds 0 is legal (a short poll)
        self.assertEqual(self.receive(url, WaitTimeSeconds=0, MaxNumberOfMessages=10), [])

    def test_query_integer_that_does_not_parse(self):
        self.create("qint")
        r = self.d.request("POST", "/%s/qint" % ACCT,
                           "Action=ReceiveMessage&Version=2012-11-05&MaxNumberOfMessages=abc",
                           {"Content-Type": FORM})
        self.assertEqual(r.status, 400, r)
        codes = [e.text for e in ET.fromstring(r.body).iter() if e.tag.endswith("Code")]
        self.assertEqual(codes, ["InvalidParameterValue"])

    def test_max_number_of_messages(self):
        url = self.create("many")
        ids = set()
        for i in range(15):
            ids.add(self.c.send_message(QueueUrl=url, MessageBody="m%d" % i)["MessageId"])
        self.assertEqual(len(ids), 15)
        first = self.receive(url, MaxNumberOfMessages=10)
        self.assertTrue(1 <= len(first) <= 10, len(first))
        self.assertEqual(len(self.receive(url)), 1)      # default MaxNumberOfMessages is 1
        seen = {m["MessageId"] for m in first}
        for _ in range(20):
            more = self.receive(url, MaxNumberOfMessages=10)
            if not more:
                break
            seen |= {m["MessageId"] for m in more}
        self.assertEqual(len(seen), 14)
        self.assertTrue(seen <= ids)

    def test_delete_message(self):
        url = self.create("del")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url)["ReceiptHandle"]
        self.c.delete_message(QueueUrl=url, ReceiptHandle=h)
        self.c.delete_message(QueueUrl=url, ReceiptHandle=h)   # deleting twice succeeds
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assert_error(self.c.delete_message, "ReceiptHandleIsInvalid", 400,
                          "ReceiptHandleIsInvalid", QueueUrl=url, ReceiptHandle="garbage")
        self.assert_error(self.c.delete_message, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"), ReceiptHandle=h)

    def test_send_to_missing_queue(self):
        self.assert_error(self.c.send_message, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"), MessageBody="x")
        self.assert_error(self.c.receive_message, NON_EXISTENT, 400, "QueueDoesNotExist",
                          QueueUrl=self.url("nope"))


# ---------------------------------------------------------------------------------------------
class Batches(SqsCase):
    def test_send_batch_of_ten(self):
        url = self.create("batch")
        entries = []
        for i in range(10):
            e = {"Id": "m-%d_x" % i, "MessageBody": "body %d \u00e9" % i}
            if i % 2:
                e["MessageAttributes"] = {"i": {"DataType": "Number", "StringValue": str(i)},
                                          "b": {"DataType": "Binary", "BinaryValue": bytes([i])}}
            if i == 3:
                e["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String",
                                                                   "StringValue": TRACE}}
            entries.append(e)
        r = self.c.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(r.get("Failed", []), [])
        ok = {s["Id"]: s for s in r["Successful"]}
        self.assertEqual(set(ok), {e["Id"] for e in entries})
        for e in entries:
            s = ok[e["Id"]]
            self.assertRegex(s["MessageId"], UUID_RE)
            self.assertEqual(s["MD5OfMessageBody"], md5_hex(e["MessageBody"]))
            if "MessageAttributes" in e:
                self.assertEqual(s["MD5OfMessageAttributes"],
                                 md5_of_attributes(e["MessageAttributes"]))
            else:
                self.assertNotIn("MD5OfMessageAttributes", s)
            if "MessageSystemAttributes" in e:
                self.assertEqual(s["MD5OfMessageSystemAttributes"],
                                 md5_of_attributes(e["MessageSystemAttributes"]))
            else:
                self.assertNotIn("MD5OfMessageSystemAttributes", s)
        self.assertEqual(len({s["MessageId"] for s in r["Successful"]}), 10)
        got = []
        for _ in range(5):
            got += self.receive(url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
            if len(got) == 10:
                break
        self.assertEqual(len(got), 10)
        by_id = {s["MessageId"]: e for e in entries for s in r["Successful"] if s["Id"] == e["Id"]}
        for m in got:
            e = by_id[m["MessageId"]]
            self.assertEqual(m["Body"], e["MessageBody"])
            if "MessageAttributes" in e:
                self.assertEqual(plain_attrs(m["MessageAttributes"]), e["MessageAttributes"])
                self.assertEqual(m["MD5OfMessageAttributes"],
                                 md5_of_attributes(e["MessageAttributes"]))
        d = self.c.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
        self.assertEqual(d.get("Failed", []), [])
        self.assertEqual(sorted(s["Id"] for s in d["Successful"]),
                         sorted("d%d" % i for i in range(10)))
        self.assertEqual(self.counts(url), (0, 0, 0))

    def _batch_level(self, op, make_entry, url):
        fn = getattr(self.c, op)
        self.assert_error(fn, "AWS.SimpleQueueService.EmptyBatchRequest", 400,
                          "EmptyBatchRequest", QueueUrl=url, Entries=[])
        self.assert_error(fn, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400,
                          "TooManyEntriesInBatchRequest", QueueUrl=url,
                          Entries=[make_entry("e%d" % i) for i in range(11)])
        self.assert_error(fn, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400,
                          "BatchEntryIdsNotDistinct", QueueUrl=url,
                          Entries=[make_entry("same"), make_entry("other"), make_entry("same")])
        for bad in ("has space", "dot.ted", "x" * 81, "", "\u00e9"):
            with self.subTest(op=op, id=bad):
                self.assert_error(fn, "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
                                  "InvalidBatchEntryId", QueueUrl=url,
                                  Entries=[make_entry("ok"), make_entry(bad)])

    def test_batch_level_errors(self):
        url = self.create("batch-errors")
        self._batch_level("send_message_batch", lambda i: {"Id": i, "MessageBody": "x"}, url)
        self._batch_level("delete_message_batch", lambda i: {"Id": i, "ReceiptHandle": "h"}, url)
        self._batch_level("change_message_visibility_batch",
                          lambda i: {"Id": i, "ReceiptHandle": "h", "VisibilityTimeout": 1}, url)
        self.assertEqual(self.counts(url), (0, 0, 0))       # nothing sent by a failed batch
        # 80 characters of [A-Za-z0-9_-] is a valid id
        r = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "A-z_9" * 16, "MessageBody": "x"}])
        self.assertEqual([s["Id"] for s in r["Successful"]], ["A-z_9" * 16])

    def test_send_batch_partial_failures(self):
        url = self.create("partial", MaximumMessageSize=1024)
        r = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "good1", "MessageBody": "one"},
            {"Id": "badchar", "MessageBody": "bad\x01"},
            {"Id": "baddelay", "MessageBody": "x", "DelaySeconds": 901},
            {"Id": "toolong", "MessageBody": "z" * 1025},
            {"Id": "badattr", "MessageBody": "x",
             "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "NaN?"}}},
            {"Id": "good2", "MessageBody": "two"},
        ])
        self.assertEqual(sorted(s["Id"] for s in r["Successful"]), ["good1", "good2"])
        failed = {f["Id"]: f for f in r["Failed"]}
        self.assertEqual(set(failed), {"badchar", "baddelay", "toolong", "badattr"})
        for f in failed.values():
            self.assertIs(f["SenderFault"], True)
            self.assertTrue(f["Message"], f)
        self.assertEqual(failed["badchar"]["Code"], "InvalidMessageContents")
        self.assertEqual(failed["baddelay"]["Code"], "InvalidParameterValue")
        self.assertEqual(failed["toolong"]["Code"], "InvalidParameterValue")
        self.assertEqual(failed["badattr"]["Code"], "InvalidParameterValue")
        self.assertEqual(sorted(self.drain(url)), ["one", "two"])

    def test_batch_request_too_long(self):
        url = self.create("toolong")
        self.assert_error(self.c.send_message_batch,
                          "AWS.SimpleQueueService.BatchRequestTooLong", 400, "BatchRequestTooLong",
                          QueueUrl=url,
                          Entries=[{"Id": "e%d" % i, "MessageBody": "x" * 110000}
                                   for i in range(10)])
        self.assertEqual(self.counts(url), (0, 0, 0))
        # attributes count towards the total too
        self.assert_error(self.c.send_message_batch,
                          "AWS.SimpleQueueService.BatchRequestTooLong", 400, "BatchRequestTooLong",
                          QueueUrl=url,
                          Entries=[{"Id": "e%d" % i, "MessageBody": "x" * 100000,
                                    "MessageAttributes": {"a": {"DataType": "Binary",
                                                                "BinaryValue": b"\0" * 5000}}}
                                   for i in range(10)])
        r = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "e%d" % i, "MessageBody": "x" * 100000} for i in range(10)])
        self.assertEqual(len(r["Successful"]), 10)

    def test_delete_batch_partial(self):
        url = self.create("delpartial")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url)["ReceiptHandle"]
        r = self.c.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "ReceiptHandle": h}, {"Id": "bad", "ReceiptHandle": "garbage"}])
        self.assertEqual([s["Id"] for s in r["Successful"]], ["ok"])
        self.assertEqual(len(r["Failed"]), 1)
        f = r["Failed"][0]
        self.assertEqual((f["Id"], f["Code"], f["SenderFault"]), ("bad", "ReceiptHandleIsInvalid", True))
        self.assertTrue(f["Message"])
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_change_visibility_batch_partial(self):
        url = self.create("cmvpartial")
        for i in range(3):
            self.c.send_message(QueueUrl=url, MessageBody="m%d" % i)
        got = self.receive(url, MaxNumberOfMessages=10)
        while len(got) < 3:
            more = self.receive(url, MaxNumberOfMessages=10)
            self.assertTrue(more)
            got += more
        # m0 visible now, m1 for 100 s more, m2 out of range
        r = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "zero", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "long", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 100},
            {"Id": "range", "ReceiptHandle": got[2]["ReceiptHandle"], "VisibilityTimeout": 43201},
            {"Id": "garbage", "ReceiptHandle": "garbage", "VisibilityTimeout": 5},
        ])
        self.assertEqual(sorted(s["Id"] for s in r["Successful"]), ["long", "zero"])
        failed = {f["Id"]: f for f in r["Failed"]}
        self.assertEqual(set(failed), {"range", "garbage"})
        self.assertEqual(failed["garbage"]["Code"], "ReceiptHandleIsInvalid")
        self.assertEqual(failed["range"]["Code"], "InvalidParameterValue")
        self.assertTrue(all(f["SenderFault"] is True for f in failed.values()))
        self.assertEqual(self.counts(url), (1, 2, 0))
        self.advance(31)     # m2 (30 s) is back, m1 (100 s) is not
        self.assertEqual(self.counts(url), (2, 1, 0))
        # a message that is not in flight any more
        r = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "stale", "ReceiptHandle": got[2]["ReceiptHandle"], "VisibilityTimeout": 5}])
        self.assertEqual(r.get("Successful", []), [])
        # AWS's docs do not say which spelling batch entries use: accept both
        self.assertIn(r["Failed"][0]["Code"], ("MessageNotInflight",
                                               "AWS.SimpleQueueService.MessageNotInflight"))


# ---------------------------------------------------------------------------------------------
class Visibility(SqsCase):
    def test_visibility_timeout_expiry(self):
        url = self.create("vis")
        mid = self.c.send_message(QueueUrl=url, MessageBody="v")["MessageId"]
        m1 = self.receive_one(url, MessageSystemAttributeNames=["All"])
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.counts(url), (0, 1, 0))
        self.advance(29)
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        m2 = self.receive_one(url, MessageSystemAttributeNames=["All"])
        self.assertEqual(m2["MessageId"], mid)
        self.assertNotEqual(m2["ReceiptHandle"], m1["ReceiptHandle"])
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(m2["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         m1["Attributes"]["ApproximateFirstReceiveTimestamp"])
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.advance(60)
        self.assertEqual(self.receive(url), [])

    def test_queue_and_receive_visibility_timeout(self):
        url = self.create("vis2", VisibilityTimeout=100)
        self.c.send_message(QueueUrl=url, MessageBody="a")
        self.receive_one(url)
        self.advance(99)
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        self.receive_one(url, VisibilityTimeout=5)     # the request overrides the queue
        self.advance(4)
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        self.receive_one(url)

    def test_change_visibility_extend(self):
        url = self.create("extend")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url)["ReceiptHandle"]
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=100)
        self.advance(60)
        self.assertEqual(self.receive(url), [])
        self.advance(41)
        m = self.receive_one(url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")

    def test_change_visibility_zero(self):
        url = self.create("zero")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url)["ReceiptHandle"]
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=0)
        self.assertEqual(self.counts(url), (1, 0, 0))
        m = self.receive_one(url)
        self.assertNotEqual(m["ReceiptHandle"], h)

    def test_message_not_inflight(self):
        url = self.create("notinflight")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url, VisibilityTimeout=5)["ReceiptHandle"]
        self.advance(6)
        e = self.assert_error(self.c.change_message_visibility,
                              "AWS.SimpleQueueService.MessageNotInflight", 400,
                              "MessageNotInflight", QueueUrl=url, ReceiptHandle=h,
                              VisibilityTimeout=10)
        self.assertTrue(e.response["Error"]["Message"])
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_receipt_handle_invalid(self):
        url = self.create("badhandle")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.receive_one(url)
        for h in ("garbage", "AQEB" + "A" * 100):
            with self.subTest(handle=h):
                self.assert_error(self.c.change_message_visibility, "ReceiptHandleIsInvalid", 400,
                                  "ReceiptHandleIsInvalid", QueueUrl=url, ReceiptHandle=h,
                                  VisibilityTimeout=10)

    def test_change_visibility_range(self):
        url = self.create("cmvrange")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        h = self.receive_one(url)["ReceiptHandle"]
        for v in (-1, 43201):
            with self.subTest(v=v):
                self.assert_error(self.c.change_message_visibility, "InvalidParameterValue",
                                  QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=v)
        # the 12 hours count from the receive: "If you attempt to set the VisibilityTimeout to
        # a value greater than the maximum time left, Amazon SQS returns an error."
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=1000)
        self.advance(200)
        self.assert_error(self.c.change_message_visibility, "InvalidParameterValue",
                          QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=43100)
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=42900)
        self.advance(42899)
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        self.receive_one(url)


# ---------------------------------------------------------------------------------------------
class Delays(SqsCase):
    def test_queue_delay(self):
        url = self.create("qdelay", DelaySeconds=10)
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.counts(url), (0, 0, 1))
        self.advance(9)
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        self.assertEqual(self.counts(url), (1, 0, 0))
        self.receive_one(url)

    def test_message_delay_overrides_queue(self):
        url = self.create("mdelay", DelaySeconds=60)
        self.c.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=20)
        self.c.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        self.assertEqual(self.receive_one(url)["Body"], "now")
        self.advance(21)
        self.assertEqual(self.receive_one(url)["Body"], "later")

    def test_batch_entry_delay(self):
        url = self.create("bdelay")
        self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "a", "DelaySeconds": 30}, {"Id": "b", "MessageBody": "b"}])
        self.assertEqual(self.counts(url), (1, 0, 1))
        self.advance(31)
        self.assertEqual(self.counts(url), (2, 0, 0))

    def test_message_delay_rejected_on_fifo(self):
        url = self.create("d.fifo", DelaySeconds=5)       # a queue-level delay is allowed
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="x", MessageGroupId="g", MessageDeduplicationId="1",
                          DelaySeconds=5)
        r = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "2",
             "DelaySeconds": 5}])
        self.assertEqual(r["Failed"][0]["Code"], "InvalidParameterValue")
        self.c.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                            MessageDeduplicationId="3")
        self.assertEqual(self.counts(url), (0, 0, 1))
        self.advance(6)
        self.assertEqual(self.counts(url), (1, 0, 0))


# ---------------------------------------------------------------------------------------------
class LongPolling(SqsCase):
    def poll_in_thread(self, url, **kw):
        """Start a ReceiveMessage in a thread; returns (thread, result dict)."""
        res = {}
        c = self.d.client("sqs")

        def run():
            t0 = time.monotonic()
            try:
                res["messages"] = c.receive_message(QueueUrl=url, **kw).get("Messages", [])
            except Exception as e:  # noqa: BLE001  (reported by the test)
                res["error"] = e
            res["elapsed"] = time.monotonic() - t0

        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t, res

    def finish(self, t, res, timeout=15):
        t.join(timeout)
        self.assertFalse(t.is_alive(), "long poll never returned")
        self.assertNotIn("error", res, res.get("error"))
        return res

    def test_returns_early_when_a_message_is_sent(self):
        url = self.create("lp")
        t, res = self.poll_in_thread(url, WaitTimeSeconds=10)
        time.sleep(0.4)
        self.assertTrue(t.is_alive(), "the long poll returned before any message was sent")
        self.c.send_message(QueueUrl=url, MessageBody="wake")
        res = self.finish(t, res)
        self.assertEqual([m["Body"] for m in res["messages"]], ["wake"])
        self.assertGreaterEqual(res["elapsed"], 0.35)
        self.assertLess(res["elapsed"], 3.0)

    def test_empty_after_wait_time(self):
        url = self.create("lp-empty")
        t0 = time.monotonic()
        r = self.c.receive_message(QueueUrl=url, WaitTimeSeconds=1)
        elapsed = time.monotonic() - t0
        self.assertNotIn("Messages", r)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 3.0)

    def test_queue_receive_wait_time_applies(self):
        url = self.create("lp-queue", ReceiveMessageWaitTimeSeconds=10)
        t, res = self.poll_in_thread(url)          # no WaitTimeSeconds: the queue's 10 s
        time.sleep(0.4)
        self.assertTrue(t.is_alive(), "ReceiveMessageWaitTimeSeconds was not applied")
        self.c.send_message(QueueUrl=url, MessageBody="q")
        res = self.finish(t, res)
        self.assertEqual(len(res["messages"]), 1)
        self.assertLess(res["elapsed"], 3.0)
        # WaitTimeSeconds=0 on the request overrides the queue: a short poll
        t0 = time.monotonic()
        self.assertEqual(self.receive(url, WaitTimeSeconds=0), [])
        self.assertLess(time.monotonic() - t0, 0.5)

    def test_released_by_change_visibility_zero(self):
        url = self.create("lp-cmv")
        self.c.send_message(QueueUrl=url, MessageBody="held")
        h = self.receive_one(url)["ReceiptHandle"]
        t, res = self.poll_in_thread(url, WaitTimeSeconds=10)
        time.sleep(0.4)
        self.assertTrue(t.is_alive())
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=0)
        res = self.finish(t, res)
        self.assertEqual([m["Body"] for m in res["messages"]], ["held"])
        self.assertLess(res["elapsed"], 3.0)

    def test_woken_by_visibility_expiry(self):
        url = self.create("lp-expiry")
        self.c.send_message(QueueUrl=url, MessageBody="expiring")
        self.receive_one(url)                      # in flight for 30 s
        t, res = self.poll_in_thread(url, WaitTimeSeconds=10)
        time.sleep(0.4)
        self.assertTrue(t.is_alive())
        self.advance(31)
        res = self.finish(t, res)
        self.assertEqual([m["Body"] for m in res["messages"]], ["expiring"])
        self.assertLess(res["elapsed"], 3.0)

    def test_woken_by_delay_expiry(self):
        url = self.create("lp-delay")
        self.c.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        t, res = self.poll_in_thread(url, WaitTimeSeconds=10)
        time.sleep(0.4)
        self.assertTrue(t.is_alive(), "a delayed message was delivered early")
        self.advance(61)
        res = self.finish(t, res)
        self.assertEqual([m["Body"] for m in res["messages"]], ["delayed"])
        self.assertLess(res["elapsed"], 3.0)

    def test_stopping_daemon_answers_waiting_long_polls(self):
        url = self.create("lp-stop")
        t, res = self.poll_in_thread(url, WaitTimeSeconds=20)
        time.sleep(0.4)
        self.assertTrue(t.is_alive())
        t0 = time.monotonic()
        self.assertEqual(self.d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 5.0, "a waiting long poll held up the shutdown")
        res = self.finish(t, res, timeout=5)
        self.assertEqual(res["messages"], [])
        self.assertLess(res["elapsed"], 6.0)

    def test_many_concurrent_long_polls_few_threads(self):
        url = self.create("lp-many")
        n = 100
        results = [None] * n
        body = json.dumps({"QueueUrl": url, "WaitTimeSeconds": 10})

        def poll(i):
            conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
            try:
                conn.request("POST", "/", body=body, headers={
                    "Content-Type": JSON10, "X-Amz-Target": "AmazonSQS.ReceiveMessage"})
                r = conn.getresponse()
                results[i] = (r.status, json.loads(r.read() or b"{}"), time.monotonic())
            except Exception as e:  # noqa: BLE001
                results[i] = ("error", repr(e), time.monotonic())
            finally:
                conn.close()

        threads = [threading.Thread(target=poll, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        self.assertTrue(all(r is None for r in results), "a long poll answered before any send")
        nthreads = len(os.listdir("/proc/%d/task" % self.d.proc.pid))
        self.assertLessEqual(nthreads, 16, "%d daemon threads for %d long polls" % (nthreads, n))
        sent_at = time.monotonic()
        for b in range(n // 10):
            self.c.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "MessageBody": "m%d-%d" % (b, i)} for i in range(10)])
        for t in threads:
            t.join(15)
        self.assertTrue(all(r is not None for r in results), "some long polls never returned")
        bodies = []
        for status, resp, at in results:
            self.assertEqual(status, 200, resp)
            self.assertLess(at - sent_at, 5.0)
            bodies += [m["Body"] for m in resp.get("Messages", [])]
        self.assertEqual(len(bodies), n, "every long poll gets one message")
        self.assertEqual(len(set(bodies)), n, "a message was delivered twice")


# ---------------------------------------------------------------------------------------------
class Fifo(SqsCase):
    def send(self, url, body, group, dedup=None, **kw):
        kw = dict(kw, QueueUrl=url, MessageBody=body, MessageGroupId=group)
        if dedup is not None:
            kw["MessageDeduplicationId"] = dedup
        return self.c.send_message(**kw)

    def test_order_within_groups(self):
        url = self.create("order.fifo")
        plan = [("A", "a1"), ("B", "b1"), ("A", "a2"), ("A", "a3"), ("B", "b2"), ("C", "c1"),
                ("A", "a4"), ("B", "b3")]
        for g, b in plan:
            self.send(url, b, g, dedup=b)
        got = {"A": [], "B": [], "C": []}
        for _ in range(20):
            msgs = self.receive(url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
            if not msgs:
                break
            for m in msgs:
                got[m["Attributes"]["MessageGroupId"]].append(m["Body"])
            for m in msgs:
                self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        for g in got:
            self.assertEqual(got[g], [b for gg, b in plan if gg == g], g)

    def test_group_blocked_while_in_flight(self):
        url = self.create("block.fifo")
        for b in ("g1", "g2", "g3"):
            self.send(url, b, "g", dedup=b)
        self.send(url, "h1", "h", dedup="h1")
        first = self.receive_one(url, MessageSystemAttributeNames=["MessageGroupId"])
        second = self.receive_one(url, MessageSystemAttributeNames=["MessageGroupId"])
        self.assertEqual({first["Body"], second["Body"]}, {"g1", "h1"},
                         "one message per group while the group has one in flight")
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])
        g1 = first if first["Body"] == "g1" else second
        self.c.delete_message(QueueUrl=url, ReceiptHandle=g1["ReceiptHandle"])
        g2 = self.receive_one(url, MaxNumberOfMessages=1)
        self.assertEqual(g2["Body"], "g2")
        # g2's visibility ends: it is delivered again before g3
        self.advance(31)
        msgs = self.receive(url, MaxNumberOfMessages=10,
                            MessageSystemAttributeNames=["MessageGroupId", "ApproximateReceiveCount"])
        gs = [m for m in msgs if m["Attributes"]["MessageGroupId"] == "g"]
        self.assertTrue(gs, msgs)
        self.assertEqual(gs[0]["Body"], "g2")
        self.assertEqual(gs[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual([m["Body"] for m in gs], ["g2", "g3"][:len(gs)])

    def test_dedup_by_id(self):
        url = self.create("dedup.fifo")
        s1 = self.send(url, "first", "g", dedup="d1")
        s2 = self.send(url, "second, same id", "g", dedup="d1")
        self.assertEqual(s2["MessageId"], s1["MessageId"])
        self.assertEqual(s2["MD5OfMessageBody"], md5_hex("second, same id"))
        self.assertEqual(self.counts(url), (1, 0, 0))
        m = self.receive_one(url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
        self.assertEqual(m["Body"], "first")
        self.assertEqual(m["Attributes"]["MessageDeduplicationId"], "d1")
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # still inside the 5-minute window after the delete: suppressed
        self.advance(299)
        s3 = self.send(url, "third", "g", dedup="d1")
        self.assertEqual(s3["MessageId"], s1["MessageId"])
        self.assertEqual(self.receive(url), [])
        self.advance(2)
        s4 = self.send(url, "fourth", "g", dedup="d1")
        self.assertNotEqual(s4["MessageId"], s1["MessageId"])
        self.assertEqual(self.receive_one(url)["Body"], "fourth")

    def test_dedup_by_content(self):
        url = self.create("content.fifo", ContentBasedDeduplication="true")
        s1 = self.send(url, "same body", "g")
        s2 = self.send(url, "same body", "g", MessageAttributes={
            "a": {"DataType": "String", "StringValue": "attributes are not hashed"}})
        self.assertEqual(s2["MessageId"], s1["MessageId"])
        s3 = self.send(url, "other body", "g")
        self.assertNotEqual(s3["MessageId"], s1["MessageId"])
        # an explicit id overrides the content hash
        s4 = self.send(url, "same body", "g", dedup="explicit")
        self.assertNotIn(s4["MessageId"], (s1["MessageId"], s3["MessageId"]))
        # the generated id is the SHA-256 of the body: sending it explicitly is a duplicate
        h = hashlib.sha256(b"hash me").hexdigest()
        s5 = self.send(url, "hash me", "g")
        s6 = self.send(url, "different body", "g", dedup=h)
        self.assertEqual(s6["MessageId"], s5["MessageId"])
        bodies = []
        for _ in range(10):
            m = self.receive(url, MessageSystemAttributeNames=["MessageDeduplicationId"])
            if not m:
                break
            bodies.append((m[0]["Body"], m[0]["Attributes"]["MessageDeduplicationId"]))
            self.c.delete_message(QueueUrl=url, ReceiptHandle=m[0]["ReceiptHandle"])
        self.assertEqual(bodies, [("same body", hashlib.sha256(b"same body").hexdigest()),
                                  ("other body", hashlib.sha256(b"other body").hexdigest()),
                                  ("same body", "explicit"), ("hash me", h)])
        self.advance(301)
        s7 = self.send(url, "same body", "g")
        self.assertNotEqual(s7["MessageId"], s1["MessageId"])
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_dedup_scope_message_group(self):
        url = self.create("scope.fifo", DeduplicationScope="messageGroup",
                          FifoThroughputLimit="perMessageGroupId")
        a = self.send(url, "x", "g1", dedup="same")
        b = self.send(url, "x", "g2", dedup="same")
        c = self.send(url, "x", "g1", dedup="same")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(c["MessageId"], a["MessageId"])
        self.assertEqual(self.counts(url), (2, 0, 0))
        q = self.create("queue-scope.fifo")
        a = self.send(q, "x", "g1", dedup="same")
        b = self.send(q, "x", "g2", dedup="same")
        self.assertEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(self.counts(q), (1, 0, 0))

    def test_sequence_numbers(self):
        url = self.create("seq.fifo")
        seqs = []
        for i in range(5):
            r = self.send(url, "m%d" % i, "g%d" % (i % 2), dedup=str(i))
            self.assertRegex(r["SequenceNumber"], r"^[0-9]+$")
            seqs.append(int(r["SequenceNumber"]))
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 5, "sequence numbers must strictly increase")
        b = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "b%d" % i, "MessageBody": "b%d" % i, "MessageGroupId": "g",
             "MessageDeduplicationId": "b%d" % i} for i in range(3)])
        bseq = [int(s["SequenceNumber"]) for s in sorted(b["Successful"], key=lambda s: s["Id"])]
        self.assertEqual(bseq, sorted(bseq))
        self.assertGreater(bseq[0], seqs[-1])
        want = {"m%d" % i: (seqs[i], "g%d" % (i % 2), str(i)) for i in range(5)}
        want.update({"b%d" % i: (bseq[i], "g", "b%d" % i) for i in range(3)})
        seen = 0
        for _ in range(20):
            msgs = self.receive(url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
            if not msgs:
                break
            for m in msgs:
                a = m["Attributes"]
                self.assertEqual((int(a["SequenceNumber"]), a["MessageGroupId"],
                                  a["MessageDeduplicationId"]), want[m["Body"]])
                self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                seen += 1
        self.assertEqual(seen, 8)

    def test_receive_request_attempt_id(self):
        url = self.create("attempt.fifo")
        for b in ("a1", "a2"):
            self.send(url, b, "a", dedup=b)
        r1 = self.receive(url, ReceiveRequestAttemptId="attempt-1", MaxNumberOfMessages=1)
        self.assertEqual([m["Body"] for m in r1], ["a1"])
        r2 = self.receive(url, ReceiveRequestAttemptId="attempt-1", MaxNumberOfMessages=1)
        self.assertEqual([(m["MessageId"], m["ReceiptHandle"]) for m in r2],
                         [(m["MessageId"], m["ReceiptHandle"]) for m in r1],
                         "a retried attempt returns the same messages and receipt handles")
        self.assertEqual(self.receive(url, ReceiveRequestAttemptId="attempt-2"), [])
        self.c.delete_message(QueueUrl=url, ReceiptHandle=r1[0]["ReceiptHandle"])
        self.assertEqual([m["Body"] for m in self.receive(url, ReceiveRequestAttemptId="attempt-3")],
                         ["a2"])

    def test_fifo_send_errors(self):
        url = self.create("err.fifo")
        self.assert_error(self.c.send_message, "MissingParameter", QueueUrl=url, MessageBody="x",
                          MessageDeduplicationId="1")
        self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                          MessageBody="x", MessageGroupId="g")
        for bad in ("has space", "x" * 129):
            with self.subTest(group=bad):
                self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                                  MessageBody="x", MessageGroupId=bad, MessageDeduplicationId="1")
                self.assert_error(self.c.send_message, "InvalidParameterValue", QueueUrl=url,
                                  MessageBody="x", MessageGroupId="g", MessageDeduplicationId=bad)
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_fifo_batch_keeps_order(self):
        url = self.create("batch.fifo", ContentBasedDeduplication="true")
        r = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "e%d" % i, "MessageBody": "m%d" % i, "MessageGroupId": "g"} for i in range(10)])
        self.assertEqual(len(r["Successful"]), 10)
        self.assertEqual(self.drain(url), ["m%d" % i for i in range(10)])


# ---------------------------------------------------------------------------------------------
class DeadLetter(SqsCase):
    def setup_pair(self, max_receive=2, dlq="dlq", src="src"):
        dlq_url = self.create(dlq)
        src_url = self.create(src, RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": self.arn(dlq), "maxReceiveCount": max_receive}))
        return src_url, dlq_url

    def to_dlq(self, src_url, dlq_url, n, max_receive, limit=40):
        """Receive every message of src max_receive times (visibility 0), then once more so
        they move; returns when the DLQ holds n messages."""
        for _ in range(limit):
            self.receive(src_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            if self.counts(dlq_url)[0] == n:
                return
        self.fail("messages never reached the DLQ: src %r dlq %r"
                  % (self.counts(src_url), self.counts(dlq_url)))

    def wait_task(self, dlq_arn, status="COMPLETED", timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            r = self.c.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
            if r and r[0]["Status"] == status:
                return r[0]
            if time.monotonic() > deadline:
                self.fail("move task never reached %s: %r" % (status, r))
            time.sleep(0.1)

    def test_message_moves_to_dlq_after_max_receive_count(self):
        src, dlq = self.setup_pair(max_receive=2)
        attrs = {"k": {"DataType": "String", "StringValue": "v"}}
        sent = self.c.send_message(QueueUrl=src, MessageBody="poison", MessageAttributes=attrs)
        m1 = self.receive_one(src, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])
        self.assertEqual(m1["Attributes"]["ApproximateReceiveCount"], "1")
        m2 = self.receive_one(src, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(self.counts(dlq), (0, 0, 0))
        # the third receive would exceed maxReceiveCount: the message moves instead
        self.assertEqual(self.receive(src, VisibilityTimeout=0), [])
        self.assertEqual(self.counts(src), (0, 0, 0))
        self.assertEqual(self.counts(dlq), (1, 0, 0))
        d = self.receive_one(dlq, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
        self.assertEqual(d["MessageId"], sent["MessageId"])
        self.assertEqual(d["Body"], "poison")
        self.assertEqual(d["MD5OfBody"], md5_hex("poison"))
        self.assertEqual(plain_attrs(d["MessageAttributes"]), attrs)
        self.assertEqual(d["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(d["Attributes"]["DeadLetterQueueSourceArn"], self.arn("src"))
        self.assertEqual(d["Attributes"]["SentTimestamp"], m1["Attributes"]["SentTimestamp"])

    def test_dlq_after_visibility_expiries(self):
        src, dlq = self.setup_pair(max_receive=1)
        self.c.send_message(QueueUrl=src, MessageBody="slow")
        self.receive_one(src)
        self.advance(31)
        self.assertEqual(self.receive(src), [])
        self.assertEqual(self.counts(dlq), (1, 0, 0))

    def test_fifo_dlq(self):
        dlq = self.create("dlq.fifo")
        src = self.create("src.fifo", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": self.arn("dlq.fifo"), "maxReceiveCount": 1}))
        self.c.send_message(QueueUrl=src, MessageBody="f", MessageGroupId="g",
                            MessageDeduplicationId="f")
        self.receive_one(src, VisibilityTimeout=0)
        self.assertEqual(self.receive(src, VisibilityTimeout=0), [])
        m = self.receive_one(dlq, MessageSystemAttributeNames=["All"])
        self.assertEqual(m["Body"], "f")
        self.assertEqual(m["Attributes"]["MessageGroupId"], "g")
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], self.arn("src.fifo"))

    def test_list_dead_letter_source_queues(self):
        dlq = self.create("dlq")
        srcs = []
        for n in ("s1", "s2", "s3"):
            srcs.append(self.create(n, RedrivePolicy=json.dumps(
                {"deadLetterTargetArn": self.arn("dlq"), "maxReceiveCount": 3})))
        self.create("unrelated")
        r = self.c.list_dead_letter_source_queues(QueueUrl=dlq)
        self.assertEqual(sorted(r["queueUrls"]), sorted(srcs))
        self.assertNotIn("NextToken", r)
        p1 = self.c.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
        self.assertEqual(len(p1["queueUrls"]), 2)
        self.assertTrue(p1["NextToken"])
        p2 = self.c.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2,
                                                   NextToken=p1["NextToken"])
        self.assertEqual(len(p2["queueUrls"]), 1)
        self.assertNotIn("NextToken", p2)
        self.assertEqual(sorted(p1["queueUrls"] + p2["queueUrls"]), sorted(srcs))
        self.assertEqual(self.c.list_dead_letter_source_queues(
            QueueUrl=self.url("unrelated")).get("queueUrls", []), [])
        # a deleted source, or one whose policy is removed, is no longer listed
        self.c.delete_queue(QueueUrl=srcs[0])
        self.c.set_queue_attributes(QueueUrl=srcs[1], Attributes={"RedrivePolicy": ""})
        self.assertEqual(self.c.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"],
                         [srcs[2]])
        self.assert_error(self.c.list_dead_letter_source_queues, NON_EXISTENT, 400,
                          "QueueDoesNotExist", QueueUrl=self.url("nope"))

    def test_move_task_back_to_source(self):
        src, dlq = self.setup_pair(max_receive=1)
        attrs = {"k": {"DataType": "Number", "StringValue": "7"}}
        self.c.send_message(QueueUrl=src, MessageBody="redrive me", MessageAttributes=attrs)
        self.to_dlq(src, dlq, 1, 1)
        started = self.c.start_message_move_task(SourceArn=self.arn("dlq"))
        self.assertTrue(started["TaskHandle"])
        t = self.wait_task(self.arn("dlq"))
        self.assertEqual(t["SourceArn"], self.arn("dlq"))
        self.assertEqual(t["ApproximateNumberOfMessagesMoved"], 1)
        self.assertEqual(t["ApproximateNumberOfMessagesToMove"], 1)
        self.assertNotIn("DestinationArn", t)
        self.assertNotIn("TaskHandle", t)          # only RUNNING tasks show their handle
        self.assertIsInstance(t["StartedTimestamp"], int)
        self.assertLessEqual(abs(t["StartedTimestamp"] - self.now_ms()), 15000)
        self.assertEqual(self.counts(dlq), (0, 0, 0))
        m = self.receive_one(src, MessageAttributeNames=["All"])
        self.assertEqual(m["Body"], "redrive me")
        self.assertEqual(plain_attrs(m["MessageAttributes"]), attrs)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attrs))

    def test_move_task_to_destination(self):
        src, dlq = self.setup_pair(max_receive=1)
        other = self.create("other")
        for i in range(3):
            self.c.send_message(QueueUrl=src, MessageBody="m%d" % i)
        self.to_dlq(src, dlq, 3, 1)
        self.c.start_message_move_task(SourceArn=self.arn("dlq"), DestinationArn=self.arn("other"),
                                       MaxNumberOfMessagesPerSecond=100)
        t = self.wait_task(self.arn("dlq"))
        self.assertEqual(t["DestinationArn"], self.arn("other"))
        self.assertEqual(t["MaxNumberOfMessagesPerSecond"], 100)
        self.assertEqual(t["ApproximateNumberOfMessagesMoved"], 3)
        self.assertEqual(sorted(self.drain(other)), ["m0", "m1", "m2"])
        self.assertEqual(self.counts(src), (0, 0, 0))

    def test_cancel_move_task(self):
        src, dlq = self.setup_pair(max_receive=1)
        self.c.send_message_batch(QueueUrl=src, Entries=[
            {"Id": "e%d" % i, "MessageBody": "m%d" % i} for i in range(6)])
        self.to_dlq(src, dlq, 6, 1)
        h = self.c.start_message_move_task(SourceArn=self.arn("dlq"),
                                           MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
        running = self.c.list_message_move_tasks(SourceArn=self.arn("dlq"))["Results"][0]
        self.assertEqual(running["Status"], "RUNNING")
        self.assertEqual(running["TaskHandle"], h)
        # only one active task per queue
        with self.assertRaises(ClientError) as cm:
            self.c.start_message_move_task(SourceArn=self.arn("dlq"))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        time.sleep(1.0)      # at 1 message per second, at most 2 can have moved by now
        moved = self.c.cancel_message_move_task(TaskHandle=h)["ApproximateNumberOfMessagesMoved"]
        self.assertLessEqual(moved, 3, "MaxNumberOfMessagesPerSecond=1 was not honoured")
        t = self.wait_task(self.arn("dlq"), status="CANCELLED", timeout=5)
        self.assertLessEqual(t["ApproximateNumberOfMessagesMoved"], 3)
        left = self.counts(dlq)[0]
        self.assertEqual(left, 6 - t["ApproximateNumberOfMessagesMoved"])
        self.assertEqual(self.counts(src)[0], t["ApproximateNumberOfMessagesMoved"])
        time.sleep(1.2)
        self.assertEqual(self.counts(dlq)[0], left, "a cancelled task kept moving messages")
        self.assertGreater(left, 0)
        # a cancelled task cannot be cancelled again
        with self.assertRaises(ClientError):
            self.c.cancel_message_move_task(TaskHandle=h)
        # ListMessageMoveTasks: most recent first, MaxResults up to 10
        self.c.start_message_move_task(SourceArn=self.arn("dlq"))
        self.wait_task(self.arn("dlq"))
        r = self.c.list_message_move_tasks(SourceArn=self.arn("dlq"), MaxResults=10)["Results"]
        self.assertEqual([x["Status"] for x in r], ["COMPLETED", "CANCELLED"])
        self.assertEqual(len(self.c.list_message_move_tasks(SourceArn=self.arn("dlq"))["Results"]), 1)

    def test_move_task_errors(self):
        self.setup_pair()
        self.create("plain")
        # not a dead-letter queue of any source
        with self.assertRaises(ClientError) as cm:
            self.c.start_message_move_task(SourceArn=self.arn("plain"))
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("InvalidParameterValue", "AWS.SimpleQueueService.UnsupportedOperation"))
        self.assert_error(self.c.start_message_move_task, "InvalidParameterValue",
                          SourceArn=self.arn("dlq"), MaxNumberOfMessagesPerSecond=501)
        with self.assertRaises(ClientError) as cm:
            self.c.start_message_move_task(SourceArn=self.arn("missing"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")
        with self.assertRaises(ClientError) as cm:
            self.c.cancel_message_move_task(TaskHandle="no-such-task")
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("ResourceNotFoundException", "InvalidParameterValue"))
        with self.assertRaises(ClientError) as cm:
            self.c.list_message_move_tasks(SourceArn=self.arn("missing"))
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(self.c.list_message_move_tasks(SourceArn=self.arn("dlq")).get("Results", []), [])


# ---------------------------------------------------------------------------------------------
class Retention(SqsCase):
    def test_expired_messages_disappear(self):
        url = self.create("short", MessageRetentionPeriod=60)
        self.c.send_message(QueueUrl=url, MessageBody="old")
        self.advance(30)
        self.c.send_message(QueueUrl=url, MessageBody="young")
        self.assertEqual(self.counts(url), (2, 0, 0))
        self.advance(31)
        self.assertEqual(self.counts(url), (1, 0, 0))
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)], ["young"])
        self.advance(60)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])


# ---------------------------------------------------------------------------------------------
    def test_shorter_retention_applies_to_stored_messages(self):
        url = self.create("shrink")
        self.c.send_message(QueueUrl=url, MessageBody="stored")
        self.advance(120)
        self.assertEqual(self.counts(url), (1, 0, 0))
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "60"})
        # "Changes made to the MessageRetentionPeriod attribute can take up to 15 minutes and
        # will impact existing messages in the queue" (CreateQueue documentation)
        self.advance(900)
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertEqual(self.receive(url), [])


class Persistence(SqsCase):
    def test_kill9_keeps_queues_messages_and_windows(self):
        c = self.c
        self.advance(5000)
        keep = self.create("keep", VisibilityTimeout=40)
        c.tag_queue(QueueUrl=keep, Tags={"team": "orders"})
        fifo = self.create("keep.fifo")
        self.create("keep-dlq")
        src = self.create("keep-src", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": self.arn("keep-dlq"), "maxReceiveCount": 1}))
        attrs = {"n": {"DataType": "Number", "StringValue": "1"}}
        m1 = c.send_message(QueueUrl=keep, MessageBody="m1", MessageAttributes=attrs)["MessageId"]
        c.send_message(QueueUrl=keep, MessageBody="m2", DelaySeconds=10)
        r1 = self.receive_one(keep)
        self.assertEqual(r1["MessageId"], m1)
        fid = c.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g",
                             MessageDeduplicationId="x")["MessageId"]
        c.send_message(QueueUrl=src, MessageBody="poison")
        self.receive_one(src, VisibilityTimeout=0)
        self.assertEqual(self.receive(src, VisibilityTimeout=0), [])
        offset = self.d.get_json("/_awslet/clock")["offset_ms"]

        self.d.kill9()
        self.d.start(["--test-clock"])
        c = self.c = self.d.client("sqs")
        self.assertEqual(self.d.get_json("/_awslet/clock")["offset_ms"], offset)
        keep, fifo = self.url("keep"), self.url("keep.fifo")
        self.assertEqual(sorted(c.list_queues()["QueueUrls"]),
                         sorted(self.url(n) for n in ("keep", "keep.fifo", "keep-dlq", "keep-src")))
        self.assertEqual(c.list_queue_tags(QueueUrl=keep)["Tags"], {"team": "orders"})
        self.assertEqual(c.get_queue_attributes(QueueUrl=keep, AttributeNames=["VisibilityTimeout"])
                         ["Attributes"], {"VisibilityTimeout": "40"})
        self.assertEqual(self.counts(keep), (0, 1, 1))
        self.assertEqual(self.receive(keep), [])           # m1 in flight, m2 delayed
        self.advance(11)
        self.assertEqual(self.receive_one(keep)["Body"], "m2")
        self.advance(30)                                    # m1's 40 s visibility ends
        m = self.receive_one(keep, MessageSystemAttributeNames=["ApproximateReceiveCount"],
                             MessageAttributeNames=["All"])
        self.assertEqual((m["MessageId"], m["Body"]), (m1, "m1"))
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(attrs))
        # the dedup window survived
        again = c.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g",
                               MessageDeduplicationId="x")["MessageId"]
        self.assertEqual(again, fid)
        self.assertEqual(self.counts(fifo), (1, 0, 0))
        # the dead-lettered message still knows its source, and goes back there
        d = self.receive_one(self.url("keep-dlq"), VisibilityTimeout=0,
                             MessageSystemAttributeNames=["DeadLetterQueueSourceArn"])
        self.assertEqual(d["Attributes"]["DeadLetterQueueSourceArn"], self.arn("keep-src"))
        c.start_message_move_task(SourceArn=self.arn("keep-dlq"))
        deadline = time.monotonic() + 10
        while self.counts(self.url("keep-src"))[0] != 1:
            self.assertLess(time.monotonic(), deadline, "the move task never moved the message")
            time.sleep(0.1)
        self.assertEqual(self.receive_one(self.url("keep-src"))["Body"], "poison")
        # and a clean restart (SIGTERM) keeps everything too
        self.assertEqual(self.d.stop(), 0)
        self.d.start(["--test-clock"])
        self.c = self.d.client("sqs")
        self.assertEqual(self.counts(self.url("keep")), (0, 2, 0))


if __name__ == "__main__":
    unittest.main()
