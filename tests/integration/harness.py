"""Integration-test harness: runs the REAL awslet binary for a unittest test case.

Awslet starts the daemon on a free port (`--port 0 --port-file <tmp>/port`) with a fresh temp
data dir, waits until GET /_awslet/health answers 200, and stops it (SIGTERM, then SIGKILL after a
timeout).  The daemon's stderr goes to <tmp>/awslet.log; AwsletTestCase prints that log when a test
fails or errors.  The binary comes from $AWSLET_BIN (set by tests/integration/CMakeLists.txt), else
<source>/build/awslet.  Only the standard library is needed here; boto3 is imported by the tests.
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("AWSLET_SOURCE_DIR") or os.path.normpath(os.path.join(HERE, "..", ".."))

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"

# Keep the developer's ~/.aws out of the way: the tests pass dummy credentials explicitly.
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_k, None)


def awslet_bin():
    path = os.environ.get("AWSLET_BIN") or os.path.join(SOURCE_DIR, "build", "awslet")
    if not os.access(path, os.X_OK):
        raise RuntimeError("awslet binary not found at %r (set AWSLET_BIN)" % path)
    return path


def clean_env(extra=None):
    """The test process's environment without AWSLET_* (so config comes only from the test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSLET_")}
    env.update(extra or {})
    return env


class Response:
    """A raw HTTP response: status, headers (case-insensitive lookups via header()), body bytes."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers          # list of (name, value) as received
        self.body = body

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Response %d %r headers=%r body=%r>" % (self.status, self.reason, self.headers,
                                                       self.body[:500])


class Awslet:
    """One daemon (re)started as many times as a test needs; all files live in one temp dir."""

    STOP_TIMEOUT = 10.0     # seconds to wait after SIGTERM before SIGKILL
    START_TIMEOUT = 15.0

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="awslet-it-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.port_file = os.path.join(self.tmp, "port")
        self.log_path = os.path.join(self.tmp, "awslet.log")
        self.proc = None
        self.port = None
        self.returncode = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, extra_args=(), data_dir=None, env=None, default_flags=True, port_file=None,
              wait=True):
        """Start the daemon.  default_flags adds --port 0 --port-file --data-dir; without them
        the test supplies its own configuration (e.g. through AWSLET_* env) and names the
        port_file the daemon will write."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("awslet already running")
        if data_dir is not None:
            self.data_dir = data_dir
        port_file = port_file or self.port_file
        for p in (self.port_file, port_file):
            if os.path.exists(p):
                os.unlink(p)
        args = [awslet_bin()]
        if default_flags:
            args += ["--port", "0", "--port-file", self.port_file, "--data-dir", self.data_dir]
        args += list(extra_args)
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(("==== start #%d: %s\n" % (self.starts, " ".join(args))).encode())
            log.flush()
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         env=clean_env(env), cwd=self.tmp)
        self.returncode = None
        if wait:
            self.wait_ready(port_file)
        return self

    def wait_ready(self, port_file=None):
        port_file = port_file or self.port_file
        deadline = time.monotonic() + self.START_TIMEOUT
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.returncode = rc
                raise RuntimeError("awslet exited with %d during startup\n%s" % (rc, self.log))
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read()
                if text.endswith("\n") and text.strip().isdigit():
                    self.port = int(text)
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("awslet did not write %s in time\n%s" % (port_file, self.log))
            time.sleep(0.01)
        while True:
            try:
                if self.request("GET", "/_awslet/health", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("awslet health never answered 200\n%s" % self.log)
            time.sleep(0.02)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        """Wait for the process to exit; returns its exit code or None on timeout."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, timeout=None):
        """SIGTERM, wait, then SIGKILL.  Returns the exit code (negative = killed by signal)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.STOP_TIMEOUT if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                with open(self.log_path, "ab") as log:
                    log.write(b"==== harness: SIGKILL after SIGTERM timeout\n")
        self.returncode = self.proc.returncode
        self.proc = None
        return self.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.returncode = self.proc.returncode if self.proc else self.returncode
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- access ------------------------------------------------------------------------------
    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None, timeout=10):
        """Plain HTTP/1.1 request to the daemon; returns Response (never raises on 4xx/5xx)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.reason, r.getheaders(), r.read())
        finally:
            conn.close()

    def get_json(self, path):
        r = self.request("GET", path)
        if r.status != 200:
            raise AssertionError("GET %s -> %r" % (path, r))
        return r.json()

    def client(self, service, **kw):
        """A boto3 client aimed at this daemon with dummy credentials and no retries."""
        import boto3
        from botocore.config import Config
        cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                     connect_timeout=5, read_timeout=15)
        return boto3.client(service, endpoint_url=self.url, region_name=kw.pop("region", REGION),
                            aws_access_key_id=kw.pop("access_key", ACCESS_KEY),
                            aws_secret_access_key=SECRET_KEY, config=cfg, **kw)


SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: ")


class AwsletTestCase(unittest.TestCase):
    """Base class: self.awslet(...) starts a daemon that is stopped after the test; if the test
    fails or errors, every daemon log of that test is printed to stderr."""

    def awslet(self, extra_args=(), **kw):
        d = Awslet()
        self._awslets.append(d)
        d.start(extra_args, **kw)
        return d

    def new_awslet(self):
        """An Awslet that is not started yet (for tests that start it themselves)."""
        d = Awslet()
        self._awslets.append(d)
        return d

    def run(self, result=None):
        self._awslets = []
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        try:
            return super().run(result)
        finally:
            for d in self._awslets:
                was_running = d.proc is not None and d.proc.poll() is None
                code = d.stop()
                # A daemon the harness stops must exit 0: under ASan/UBSan a leak or undefined
                # behaviour makes it exit non-zero, and a sanitizer report in the log is a
                # failure even when the test's own assertions passed.
                problem = None
                if was_running and code != 0:
                    problem = "awslet exited with status %s on SIGTERM" % code
                elif SANITIZER_RE.search(d.log):
                    problem = "sanitizer report in the awslet log"
                if problem:
                    try:
                        raise AssertionError(problem)
                    except AssertionError:
                        result.addFailure(self, sys.exc_info())
            if len(result.failures) + len(result.errors) > before:
                for d in self._awslets:
                    sys.stderr.write("\n---- awslet log (%s) %s ----\n%s---- end of log ----\n"
                                     % (self.id(), d.log_path, d.log))
            for d in self._awslets:
                shutil.rmtree(d.tmp, ignore_errors=True)
