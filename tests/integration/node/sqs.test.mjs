// SQS through the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, AWS JSON 1.0).
//
// The SDK's middleware-sdk-sqs checks MD5OfMessageBody on SendMessage, SendMessageBatch and
// ReceiveMessage and throws on a mismatch; this file also checks MD5OfMessageAttributes and
// MD5OfMessageSystemAttributes against AWS's algorithm (as the Java, Go, .NET, PHP and Ruby SDKs
// do).  Covers attributes of every type, batches of 10, FIFO, a long poll, a client that follows
// the QueueUrl host, and the error names, codes and statuses the SDK derives.
// Run: cd tests/integration/node && npm ci && AWSLET_BIN=... node --test sqs.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, SendMessageCommand, SendMessageBatchCommand,
  ReceiveMessageCommand, DeleteMessageCommand, DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand, GetQueueAttributesCommand, ListQueuesCommand, PurgeQueueCommand,
  QueueDoesNotExist, QueueNameExists, ReceiptHandleIsInvalid, EmptyBatchRequest,
  PurgeQueueInProgress, TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { startAwslet, withLog, clientConfig, captureRaw, stopCleanly } from './harness.mjs';

const ACCT = '000000000000';
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let d;
let sqs;
before(async () => {
  d = await startAwslet({ args: ['--test-clock'] });
  sqs = new SQSClient(clientConfig(d));
});
after(() => stopCleanly(d));

const md5 = (data) => createHash('md5').update(data).digest('hex');

// AWS's MD5OfMessageAttributes: names sorted; per attribute 4-byte big-endian length + name,
// length + DataType, a transport byte (1 String/Number incl. custom types, 2 Binary), length +
// value.
function md5OfAttributes(attrs) {
  const parts = [];
  const put = (b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    put(Buffer.from(name, 'utf8'));
    put(Buffer.from(a.DataType, 'utf8'));
    if (a.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]));
      put(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      put(Buffer.from(a.StringValue, 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

// Received attributes as sent: DataType and the one value member (binary as a Buffer).
function plain(attrs) {
  const out = {};
  for (const [k, v] of Object.entries(attrs || {})) {
    out[k] = { DataType: v.DataType };
    if (v.StringValue !== undefined) out[k].StringValue = v.StringValue;
    if (v.BinaryValue !== undefined) out[k].BinaryValue = Buffer.from(v.BinaryValue);
  }
  return out;
}

const EVERY_TYPE = {
  str: { DataType: 'String', StringValue: 'h\u00e9llo w\u00f6rld \u2713 \u{1F600}' },
  num: { DataType: 'Number', StringValue: '-12.50' },
  bin: { DataType: 'Binary', BinaryValue: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
  price: { DataType: 'Number.float', StringValue: '3.14' },
  img: { DataType: 'Binary.gif', BinaryValue: Buffer.from('GIF89a\x01\x00', 'latin1') },
  kind: { DataType: 'String.custom', StringValue: 'order' },
};

async function createQueue(name, Attributes) {
  const r = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  assert.equal(r.QueueUrl, `${d.url}/${ACCT}/${name}`);
  return r.QueueUrl;
}

async function receiveAll(url, n, extra = {}) {
  const got = [];
  for (let i = 0; i < 10 && got.length < n; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...extra }));
    got.push(...(r.Messages || []));
  }
  return got;
}

async function rejects(command, client = sqs) {
  try {
    await client.send(command);
  } catch (e) {
    return e;
  }
  assert.fail(`${command.constructor.name} should have been rejected`);
}

test('the MD5 helper reproduces AWS\'s test vector', () => {
  assert.equal(md5OfAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } }),
    '19e27d4e946b072f3f58da80d94fd778');
});

test('send and receive with attributes of every type: MD5s verified', () => withLog(d, async () => {
  const url = await createQueue('js-types');
  const client = new SQSClient(clientConfig(d));
  const raw = captureRaw(client);
  const body = 'order #1: caf\u00e9 \u2603 \u{1F680} <xml>&amp;</xml>\t\r\n';
  const sent = await client.send(new SendMessageCommand({
    QueueUrl: url, MessageBody: body, MessageAttributes: EVERY_TYPE,
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
  }));
  assert.equal(raw.request.headers['x-amz-target'], 'AmazonSQS.SendMessage');
  assert.match(raw.request.headers['content-type'], /^application\/x-amz-json-1\.0/);
  assert.match(sent.MessageId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body, 'utf8')));
  assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(EVERY_TYPE));
  assert.equal(sent.MD5OfMessageSystemAttributes,
    md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: TRACE } }));

  const r = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
  }));
  assert.equal(r.Messages.length, 1);
  const m = r.Messages[0];
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body, body);
  assert.equal(m.MD5OfBody, md5(Buffer.from(body, 'utf8')));
  assert.deepEqual(plain(m.MessageAttributes), plain(EVERY_TYPE));
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(m.MessageAttributes));
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(m.Attributes.AWSTraceHeader, TRACE);
  assert.equal(m.Attributes.ApproximateReceiveCount, '1');
  assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
}));

test('attribute name filter: MD5 over the returned attributes only', () => withLog(d, async () => {
  const url = await createQueue('js-filter');
  const attrs = {
    'a.x': { DataType: 'String', StringValue: '1' },
    'a.y': { DataType: 'Number', StringValue: '2' },
    b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
  };
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'f', MessageAttributes: attrs }));
  const r = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MessageAttributeNames: ['a.*'], VisibilityTimeout: 0,
  }));
  const m = r.Messages[0];
  assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ['a.x', 'a.y']);
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes({ 'a.x': attrs['a.x'], 'a.y': attrs['a.y'] }));
  const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
  assert.equal(none.Messages[0].MessageAttributes, undefined);
  assert.equal(none.Messages[0].MD5OfMessageAttributes, undefined);
}));

test('batch send of 10 and batch receive of 10, MD5s per entry', () => withLog(d, async () => {
  const url = await createQueue('js-batch');
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Id: `e${i}`,
    MessageBody: `batch message ${i} \u00e9\u{1F600}`,
    MessageAttributes: i % 3 === 0 ? undefined : {
      idx: { DataType: 'Number', StringValue: String(i) },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([i, 255 - i]) },
      tag: { DataType: 'String.tag', StringValue: `t${i}` },
    },
  }));
  const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  assert.deepEqual(r.Failed ?? [], []);
  assert.equal(r.Successful.length, 10);
  const byEntry = new Map(entries.map((e) => [e.Id, e]));
  const byMessageId = new Map();
  for (const s of r.Successful) {
    const e = byEntry.get(s.Id);
    assert.equal(s.MD5OfMessageBody, md5(Buffer.from(e.MessageBody, 'utf8')));
    if (e.MessageAttributes) assert.equal(s.MD5OfMessageAttributes, md5OfAttributes(e.MessageAttributes));
    else assert.equal(s.MD5OfMessageAttributes, undefined);
    byMessageId.set(s.MessageId, e);
  }
  const got = await receiveAll(url, 10, { MessageAttributeNames: ['All'] });
  assert.equal(got.length, 10);
  for (const m of got) {
    const e = byMessageId.get(m.MessageId);
    assert.ok(e, `unknown message ${m.MessageId}`);
    assert.equal(m.Body, e.MessageBody);
    if (e.MessageAttributes) {
      assert.deepEqual(plain(m.MessageAttributes), plain(e.MessageAttributes));
      assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(e.MessageAttributes));
    } else {
      assert.equal(m.MD5OfMessageAttributes, undefined);
    }
  }
  const del = await sqs.send(new DeleteMessageBatchCommand({
    QueueUrl: url, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
  }));
  assert.equal(del.Successful.length, 10);
  assert.deepEqual(del.Failed ?? [], []);
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  assert.equal(a.Attributes.ApproximateNumberOfMessages, '0');
  assert.equal(a.Attributes.ApproximateNumberOfMessagesNotVisible, '0');
}));

test('FIFO: order within a group, deduplication, sequence numbers', () => withLog(d, async () => {
  const url = await createQueue('js-orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const seqs = [];
  const ids = [];
  for (const b of ['first', 'second', 'third']) {
    const s = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b, MessageGroupId: 'g' }));
    assert.match(s.SequenceNumber, /^\d+$/);
    seqs.push(BigInt(s.SequenceNumber));
    ids.push(s.MessageId);
  }
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2], `sequence numbers ${seqs}`);
  const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second', MessageGroupId: 'g' }));
  assert.equal(dup.MessageId, ids[1]);
  const batch = await sqs.send(new SendMessageBatchCommand({
    QueueUrl: url,
    Entries: [{ Id: 'a', MessageBody: 'fourth', MessageGroupId: 'g' }, { Id: 'b', MessageBody: 'h1', MessageGroupId: 'h' }],
  }));
  assert.equal(batch.Successful.length, 2);
  for (const s of batch.Successful) assert.ok(BigInt(s.SequenceNumber) > seqs[2]);
  const order = [];
  for (let i = 0; i < 10; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'],
    }));
    if (!r.Messages?.length) break;
    for (const m of r.Messages) {
      if (m.Attributes.MessageGroupId === 'g') order.push(m.Body);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  assert.deepEqual(order, ['first', 'second', 'third', 'fourth']);
}));

test('long poll returns as soon as a message is sent', () => withLog(d, async () => {
  const url = await createQueue('js-longpoll');
  const t0 = Date.now();
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
  await new Promise((r) => setTimeout(r, 400));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
  const r = await poll;
  const elapsed = Date.now() - t0;
  assert.deepEqual(r.Messages.map((m) => m.Body), ['wake']);
  assert.ok(elapsed >= 350 && elapsed < 3000, `long poll took ${elapsed} ms`);
}));

test('a client without an endpoint follows the QueueUrl host', () => withLog(d, async () => {
  const url = await createQueue('js-follow');
  // no endpoint: the SDK sends QueueUrl operations to the queue URL's own host
  const follow = new SQSClient({
    region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1, logger: quiet,
  });
  const s = await follow.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'followed' }));
  assert.equal(s.MD5OfMessageBody, md5('followed'));
  const r = await follow.send(new ReceiveMessageCommand({ QueueUrl: url }));
  assert.equal(r.Messages[0].Body, 'followed');
  follow.destroy();
}));

test('QueueDoesNotExist: name, query-compatible code and status 400', () => withLog(d, async () => {
  const client = new SQSClient(clientConfig(d));
  const raw = captureRaw(client);
  const e = await rejects(new GetQueueUrlCommand({ QueueName: 'js-missing' }), client);
  assert.ok(e instanceof QueueDoesNotExist, `${e.name}: ${e.message}`);
  assert.equal(e.name, 'QueueDoesNotExist');
  assert.equal(e.Code, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(e.Type, 'Sender');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.$fault, 'client');
  assert.ok(e.$metadata.requestId);
  assert.ok(e.message);
  assert.equal(raw.response.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  assert.equal(JSON.parse(raw.body.toString()).__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  const e2 = await rejects(new SendMessageCommand({ QueueUrl: `${d.url}/${ACCT}/js-missing`, MessageBody: 'x' }));
  assert.ok(e2 instanceof QueueDoesNotExist);
  assert.equal(e2.$metadata.httpStatusCode, 400);
}));

test('other errors: names, codes and statuses', () => withLog(d, async () => {
  const url = await createQueue('js-errors', { VisibilityTimeout: '60' });
  let e = await rejects(new CreateQueueCommand({ QueueName: 'js-errors', Attributes: { VisibilityTimeout: '61' } }));
  assert.ok(e instanceof QueueNameExists, e.name);
  assert.equal(e.Code, 'QueueAlreadyExists');
  assert.equal(e.$metadata.httpStatusCode, 400);

  e = await rejects(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'garbage', VisibilityTimeout: 5 }));
  assert.ok(e instanceof ReceiptHandleIsInvalid, e.name);
  assert.equal(e.$metadata.httpStatusCode, 400);

  e = await rejects(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }));
  assert.ok(e instanceof EmptyBatchRequest, e.name);
  assert.equal(e.Code, 'AWS.SimpleQueueService.EmptyBatchRequest');
  assert.equal(e.$metadata.httpStatusCode, 400);

  e = await rejects(new SendMessageBatchCommand({
    QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
  }));
  assert.ok(e instanceof TooManyEntriesInBatchRequest, e.name);
  assert.equal(e.$metadata.httpStatusCode, 400);

  const client = new SQSClient(clientConfig(d));
  const raw = captureRaw(client);
  e = await rejects(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }), client);
  // unmodeled in the JSON model: the SDK names it after the query-compatible code
  assert.equal(e.Code, 'InvalidParameterValue');
  assert.ok(['InvalidParameterValue', 'InvalidParameterValueException'].includes(e.name), e.name);
  assert.equal(JSON.parse(raw.body.toString()).__type, 'com.amazonaws.sqs#InvalidParameterValueException');
  assert.equal(e.$metadata.httpStatusCode, 400);

  e = await rejects(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Bogus'] }));
  assert.equal(e.name, 'InvalidAttributeName');
  assert.equal(e.$metadata.httpStatusCode, 400);

  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  e = await rejects(new PurgeQueueCommand({ QueueUrl: url }));
  assert.ok(e instanceof PurgeQueueInProgress, e.name);
  assert.equal(e.Code, 'AWS.SimpleQueueService.PurgeQueueInProgress');
  assert.equal(e.$metadata.httpStatusCode, 403);
}));

test('ListQueues pages with NextToken', () => withLog(d, async () => {
  for (let i = 0; i < 5; i++) await createQueue(`js-page-${i}`);
  const seen = [];
  let NextToken;
  let pages = 0;
  do {
    const r = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'js-page-', MaxResults: 2, NextToken }));
    assert.ok((r.QueueUrls || []).length <= 2);
    seen.push(...(r.QueueUrls || []));
    NextToken = r.NextToken;
    pages += 1;
  } while (NextToken && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), Array.from({ length: 5 }, (_, i) => `${d.url}/${ACCT}/js-page-${i}`));
}));
