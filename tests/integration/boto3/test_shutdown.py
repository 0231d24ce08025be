"""SIGTERM while writes keep arriving on kept-alive connections.

A write's answer waits for its group commit (the request is suspended meanwhile), and
libmicrohttpd refuses to stop with a suspended connection. This drives SendMessage over several
keep-alive connections without pause, stops the daemon in the middle, and requires a clean exit
(status 0) every round, every answer that came back complete to be a 200, and every message
acknowledged before the stop to be in the queue after a restart.
Run: AWSLET_BIN=build/awslet python3 -m unittest -v tests/integration/boto3/test_shutdown.py
"""

import http.client
import json
import os
import sys
import threading
import time
import unittest

import boto3  # noqa: F401  (imported before tests/integration joins sys.path: boto3/ is ours)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import AwsletTestCase  # noqa: E402

JSON10 = "application/x-amz-json-1.0"
ROUNDS = 6
WRITERS = 8


def sqs_call(conn, op, body):
    conn.request("POST", "/", body=json.dumps(body),
                 headers={"X-Amz-Target": "AmazonSQS." + op, "Content-Type": JSON10})
    r = conn.getresponse()
    return r.status, json.loads(r.read() or b"{}")


class StopUnderWrites(AwsletTestCase):
    def test_sigterm_while_writes_keep_coming(self):
        for rnd in range(ROUNDS):
            d = self.awslet()
            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            status, out = sqs_call(conn, "CreateQueue", {"QueueName": "q"})
            self.assertEqual(status, 200, out)
            url = out["QueueUrl"]
            conn.close()

            acked, statuses, lock, go = [], [], threading.Lock(), threading.Event()

            def writer(n):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                i = 0
                go.wait()
                while True:
                    body = "w%d-%d" % (n, i)
                    try:
                        st, res = sqs_call(c, "SendMessage", {"QueueUrl": url, "MessageBody": body})
                    except (OSError, http.client.HTTPException, ValueError):
                        return  # the daemon closed the connection: it is stopping
                    with lock:
                        statuses.append(st)
                        if st == 200:
                            acked.append(body)
                    i += 1

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
            for t in threads:
                t.start()
            go.set()
            time.sleep(0.3 + 0.05 * rnd)  # a different moment of the stream each round
            code = d.stop()
            for t in threads:
                t.join(15)
                self.assertFalse(t.is_alive(), "a writer hung after the stop")
            self.assertEqual(code, 0, "round %d: awslet exited %s on SIGTERM\n%s"
                             % (rnd, code, d.log))
            self.assertGreater(len(acked), 0)
            self.assertEqual(set(statuses), {200}, statuses)

            # Every acknowledged message is there after a restart on the same data dir.
            d.start(data_dir=d.data_dir)
            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            status, attrs = sqs_call(conn, "GetQueueAttributes", {
                "QueueUrl": url.replace(url.split("/")[2], "127.0.0.1:%d" % d.port),
                "AttributeNames": ["ApproximateNumberOfMessages"]})
            self.assertEqual(status, 200, attrs)
            stored = int(attrs["Attributes"]["ApproximateNumberOfMessages"])
            self.assertGreaterEqual(stored, len(acked))
            conn.close()
            d.stop()


if __name__ == "__main__":
    unittest.main()
