// Foundation milestone through the AWS SDK for JavaScript v3: each command of a service that has
// no operation yet must reject with the error the SDK derives from its protocol's error shape.
// SDK v3 (>= 3.447) speaks JSON 1.0 to SQS, unlike Debian's aws-cli, so this file proves the SQS
// JSON path from a second SDK (SQS is implemented: a real call succeeds, an operation it does not
// have is sent raw); SNS stays on the query protocol.
// Run: cd tests/integration/node && npm ci && AWSLET_BIN=../../../build/awslet node --test
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';
import { startAwslet, withLog, clientConfig, captureRaw, stopCleanly } from './harness.mjs';

let d;
before(async () => { d = await startAwslet(); });
after(() => stopCleanly(d));

// Run the command, expect a rejection, return [error, raw capture].
async function rejected(client, command) {
  const raw = captureRaw(client);
  let err = null;
  try {
    await client.send(command);
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${command.constructor.name} should have been rejected`);
  return [err, raw];
}

function header(raw, name) {
  const h = raw.response.headers;
  const k = Object.keys(h).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : h[k];
}

test('SQS ListQueues over JSON 1.0 -> 200, routed to SQS', () => withLog(d, async () => {
  const sqs = new SQSClient(clientConfig(d));
  const raw = captureRaw(sqs);
  const out = await sqs.send(new ListQueuesCommand({}));
  // the SDK really spoke JSON 1.0 to SQS, and SQS answered in kind
  assert.equal(raw.request.headers['x-amz-target'], 'AmazonSQS.ListQueues');
  assert.match(raw.request.headers['content-type'], /^application\/x-amz-json-1\.0/);
  assert.equal(raw.response.statusCode, 200);
  assert.match(String(header(raw, 'content-type')), /^application\/x-amz-json-1\.0/);
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.ok(out.$metadata.requestId, 'requestId missing');
  assert.equal(out.$metadata.requestId, header(raw, 'x-amzn-requestid'));
}));

test('SQS over JSON 1.0, an operation SQS does not have -> UnknownOperationException 400', () => withLog(d, async () => {
  // raw: the SDK cannot send an operation outside its model
  const r = await fetch(`${d.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.NoSuchOperation' },
    body: '{}',
  });
  const body = await r.json();
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type') || '', /^application\/x-amz-json-1\.0/);
  assert.equal(body.__type, 'com.amazon.coral.service#UnknownOperationException');
  assert.ok(r.headers.get('x-amzn-requestid'), 'x-amzn-RequestId missing');
}));

test('DynamoDB error -> its own __type, 400, with a correct x-amz-crc32', () => withLog(d, async () => {
  const [err, raw] = await rejected(new DynamoDBClient(clientConfig(d)),
    new DescribeTableCommand({ TableName: 'no-such-table' }));
  assert.equal(raw.request.headers['x-amz-target'], 'DynamoDB_20120810.DescribeTable');
  assert.equal(err.name, 'ResourceNotFoundException');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.ok(err.$metadata.requestId, 'requestId missing');
  assert.equal(err.$metadata.requestId, header(raw, 'x-amzn-requestid'));
  assert.equal(err.$fault, 'client');
  const crc = header(raw, 'x-amz-crc32');
  assert.ok(crc, 'x-amz-crc32 missing');
  assert.equal(Number(crc), crc32(raw.body));
}));

test('DynamoDB unknown operation (raw) -> UnknownOperationException 400', () => withLog(d, async () => {
  // raw: the SDK cannot send an operation outside its model
  const r = await fetch(`${d.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.NoSuchOperation' },
    body: '{}',
  });
  const body = await r.text();
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(body).__type, 'com.amazon.coral.service#UnknownOperationException');
  assert.equal(Number(r.headers.get('x-amz-crc32')), crc32(Buffer.from(body)));
}));

test('Lambda ListFunctions (REST-JSON) -> UnknownOperationException 404', () => withLog(d, async () => {
  const [err, raw] = await rejected(new LambdaClient(clientConfig(d)), new ListFunctionsCommand({}));
  assert.equal(raw.request.method, 'GET');
  assert.match(raw.request.path, /^\/2015-03-31\/functions\/?$/);
  assert.equal(err.name, 'UnknownOperationException');
  assert.equal(err.$metadata.httpStatusCode, 404);
  assert.equal(String(header(raw, 'x-amzn-errortype')).split(':')[0], 'UnknownOperationException');
  assert.equal(JSON.parse(raw.body.toString()).Type, 'User');
  assert.ok(err.$metadata.requestId, 'requestId missing');
}));

test('SNS ListTopics (query) -> InvalidAction 400', () => withLog(d, async () => {
  const [err, raw] = await rejected(new SNSClient(clientConfig(d)), new ListTopicsCommand({}));
  assert.match(raw.request.headers['content-type'], /^application\/x-www-form-urlencoded/);
  assert.match(String(raw.request.body), /(^|&)Action=ListTopics(&|$)/);
  assert.equal(err.name, 'InvalidAction');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.message, 'The action ListTopics is not valid for this web service.');
  const xmlRid = /<RequestId>([^<]+)<\/RequestId>/.exec(raw.body.toString())?.[1];
  assert.ok(xmlRid, 'no <RequestId> in the XML error');
  assert.equal(header(raw, 'x-amzn-requestid'), xmlRid);
  assert.equal(err.$metadata.requestId, xmlRid);
}));

test('CORS: a browser-style preflight for an SDK call is allowed', () => withLog(d, async () => {
  const r = await fetch(`${d.url}/`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://localhost:5173',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'amz-sdk-invocation-id,content-type,x-amz-target',
    },
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  const allowed = (r.headers.get('access-control-allow-headers') || '').toLowerCase();
  for (const h of ['amz-sdk-invocation-id', 'content-type', 'x-amz-target']) assert.ok(allowed.includes(h), allowed);
}));
