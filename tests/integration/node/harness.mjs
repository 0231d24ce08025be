// Integration-test harness for the AWS SDK for JavaScript v3 (node --test).
//
// startAwslet({ args, env }) runs the REAL daemon ($AWSLET_BIN, else <source>/build/awslet) on a
// free port (--port 0 --port-file) with a fresh temp data dir, waits for /_awslet/health, and
// returns { url, port, dataDir, log(), stop(), kill9() }.  stop() sends SIGTERM, then SIGKILL after
// a timeout, and resolves to the exit code.  The daemon's stderr goes to a log file; wrap test
// bodies in withLog(daemon, fn) so a failing test prints that log.  clientConfig(daemon) gives SDK
// client options with dummy credentials, region us-east-1 and no retries. stopCleanly(daemon) ends
// a suite (the daemon must exit 0 on SIGTERM); rejects(promise) is the error a call failed with.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.AWSLET_SOURCE_DIR || resolve(here, '..', '..', '..');
export const awsletBin = process.env.AWSLET_BIN || join(sourceDir, 'build', 'awslet');

// Keep a developer's ~/.aws and endpoint settings out of the SDK's way.
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWSLET_')) env[k] = v;
  return { ...env, ...(extra || {}) };
}

export async function startAwslet({ args = [], env = {}, timeoutMs = 15000 } = {}) {
  if (!existsSync(awsletBin)) throw new Error(`awslet binary not found at ${awsletBin} (set AWSLET_BIN)`);
  const tmp = mkdtempSync(join(tmpdir(), 'awslet-node-'));
  const dataDir = join(tmp, 'data');
  const portFile = join(tmp, 'port');
  const logPath = join(tmp, 'awslet.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(awsletBin,
    ['--port', '0', '--port-file', portFile, '--data-dir', dataDir, ...args],
    { stdio: ['ignore', fd, fd], env: cleanEnv(env), cwd: tmp });
  closeSync(fd);
  let exitCode = null;
  const exited = new Promise((res) => child.on('exit', (code, sig) => {
    exitCode = code ?? `signal ${sig}`;
    res(exitCode);
  }));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const d = {
    tmp, dataDir, logPath, log, child, port: 0, url: '',
    async stop(graceMs = 10000) {
      if (exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
        // Under ASan/UBSan a leak or undefined behaviour shows as a non-zero exit or a
        // report in the log: fail the test that owns this daemon.
        if (exitCode !== 0) throw new Error(`awslet exited with ${exitCode} on SIGTERM\n${log()}`);
        if (/ERROR: (Address|Leak)Sanitizer|runtime error: /.test(log()))
          throw new Error(`sanitizer report in the awslet log\n${log()}`);
      }
      return exitCode;
    },
    async kill9() {
      if (exitCode === null) { child.kill('SIGKILL'); await exited; }
      return exitCode;
    },
    cleanup() { rmSync(tmp, { recursive: true, force: true }); },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== null) throw new Error(`awslet exited (${exitCode}) during startup\n${log()}`);
    if (existsSync(portFile)) {
      const text = readFileSync(portFile, 'utf8');
      if (/^\d+\n$/.test(text)) { d.port = Number(text.trim()); break; }
    }
    if (Date.now() > deadline) { await d.stop(); throw new Error(`awslet wrote no port file\n${log()}`); }
    await sleep(10);
  }
  d.url = `http://127.0.0.1:${d.port}`;
  for (;;) {
    try {
      const r = await fetch(`${d.url}/_awslet/health`);
      if (r.status === 200) break;
    } catch { /* not accepting yet */ }
    if (exitCode !== null || Date.now() > deadline) {
      await d.stop();
      throw new Error(`awslet /_awslet/health never answered 200\n${log()}`);
    }
    await sleep(20);
  }
  return d;
}

// Stop the daemon with SIGTERM, remove its data dir and fail unless it exited 0.
export async function stopCleanly(d) {
  if (!d) return;
  const rc = await d.stop();
  const log = d.log();
  d.cleanup();
  assert.equal(rc, 0, `awslet exited ${rc} on SIGTERM\n${log}`);
}

// The error the promised call was rejected with, or a failure if it succeeded.
export async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the call succeeded');
}

// Run fn; if it throws, print the daemon's log before rethrowing.
export async function withLog(d, fn) {
  try {
    return await fn();
  } catch (e) {
    process.stderr.write(`\n---- awslet log (${d.logPath}) ----\n${d.log()}---- end of log ----\n`);
    throw e;
  }
}

export function clientConfig(d, extra = {}) {
  return {
    endpoint: d.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...extra,
  };
}

// Middleware that records the raw HTTP request and response of every call (before the
// deserializer turns an error response into an exception).
export function captureRaw(client) {
  const seen = { request: null, response: null, body: null };
  client.middlewareStack.add((next) => async (args) => {
    seen.request = args.request;
    const out = await next(args);
    // buffer the body so both we and the deserializer can read it
    const chunks = [];
    for await (const c of out.response.body) chunks.push(Buffer.from(c));
    seen.body = Buffer.concat(chunks);
    out.response.body = Readable.from([seen.body]);
    seen.response = out.response;
    return out;
  }, { step: 'deserialize', name: 'awsletCaptureResponse', priority: 'low' });
  return seen;
}
