// DynamoDB and DynamoDB Streams through the AWS SDK for JavaScript v3: the low-level client
// (@aws-sdk/client-dynamodb), the DocumentClient (@aws-sdk/lib-dynamodb, which marshalls plain JS
// values, Sets and NumberValue) and the streams client (@aws-sdk/client-dynamodb-streams).
// Covers the table lifecycle with the SDK waiter, a GSI and a stream, DocumentClient
// put/get/update/query/delete with conditions, exact numbers through NumberValue, the errors the
// SDK turns into typed exceptions (ConditionalCheckFailedException with the old Item,
// TransactionCanceledException with CancellationReasons, ResourceNotFoundException,
// ValidationException), x-amz-crc32 on every answer, and the stream records as the SDK parses
// them (ApproximateCreationDateTime becomes a Date).
// Run: cd tests/integration/node && npm ci && AWSLET_BIN=... node --test ddb.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand,
  ListTablesCommand, UpdateTableCommand, GetItemCommand, waitUntilTableExists,
  waitUntilTableNotExists, ConditionalCheckFailedException, TransactionCanceledException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand, QueryCommand,
  ScanCommand, BatchWriteCommand, BatchGetCommand, TransactWriteCommand, TransactGetCommand,
  NumberValue,
} from '@aws-sdk/lib-dynamodb';
import {
  DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { startAwslet, withLog, clientConfig, captureRaw, stopCleanly, rejects } from './harness.mjs';

let d;
let ddb;
let doc;
let streams;
let streamArn;
before(async () => {
  d = await startAwslet({ args: ['--test-clock'] });
  ddb = new DynamoDBClient(clientConfig(d));
  doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  streams = new DynamoDBStreamsClient(clientConfig(d));
});
after(() => stopCleanly(d));

test('CreateTable answers CREATING; the waiter sees ACTIVE; the answer carries a correct CRC', () => withLog(d, async () => {
  const raw = captureRaw(ddb);
  const out = await ddb.send(new CreateTableCommand({
    TableName: 'js-orders',
    AttributeDefinitions: [
      { AttributeName: 'customer', AttributeType: 'S' },
      { AttributeName: 'orderId', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'orderId', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: [{
      IndexName: 'by-status',
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  }));
  assert.equal(out.TableDescription.TableStatus, 'CREATING');
  assert.ok(out.TableDescription.CreationDateTime instanceof Date);
  assert.equal(Number(raw.response.headers['x-amz-crc32']), crc32(raw.body));
  streamArn = out.TableDescription.LatestStreamArn;
  assert.match(streamArn, /^arn:aws:dynamodb:us-east-1:000000000000:table\/js-orders\/stream\/\d{4}-\d\d-\d\dT/);
  const w = await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { TableName: 'js-orders' });
  assert.equal(w.state, 'SUCCESS');
  const t = await ddb.send(new DescribeTableCommand({ TableName: 'js-orders' }));
  assert.equal(t.Table.TableStatus, 'ACTIVE');
  assert.equal(t.Table.GlobalSecondaryIndexes[0].Projection.ProjectionType, 'KEYS_ONLY');
  assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, ['js-orders']);
}));

test('DocumentClient put/get round-trips JS values, Sets and exact numbers', () => withLog(d, async () => {
  await doc.send(new PutCommand({
    TableName: 'js-orders',
    Item: {
      customer: 'ada', orderId: 'o-1', status: 'NEW', amount: 19.99, qty: 3,
      big: NumberValue.from('12345678901234567890123456789012345678'),
      tags: new Set(['gift', 'rush']), parts: [{ sku: 'A', n: 1 }, { sku: 'B', n: 2 }],
      paid: false, note: null, empty: '',
    },
  }));
  const got = await doc.send(new GetCommand({
    TableName: 'js-orders', Key: { customer: 'ada', orderId: 'o-1' }, ConsistentRead: true,
  }));
  assert.equal(got.Item.amount, 19.99);
  assert.equal(got.Item.qty, 3);
  assert.deepEqual([...got.Item.tags].sort(), ['gift', 'rush']);
  assert.deepEqual(got.Item.parts, [{ sku: 'A', n: 1 }, { sku: 'B', n: 2 }]);
  assert.equal(got.Item.paid, false);
  assert.equal(got.Item.note, null);
  assert.equal(got.Item.empty, '');
  // 38 digits survive exactly (the low-level view shows the normalized text)
  const low = await ddb.send(new GetItemCommand({
    TableName: 'js-orders', Key: { customer: { S: 'ada' }, orderId: { S: 'o-1' } },
  }));
  assert.equal(low.Item.big.N, '12345678901234567890123456789012345678');
  assert.equal(low.Item.amount.N, '19.99');
}));

test('UpdateCommand with SET arithmetic, list_append, if_not_exists and ALL_NEW', () => withLog(d, async () => {
  const out = await doc.send(new UpdateCommand({
    TableName: 'js-orders', Key: { customer: 'ada', orderId: 'o-1' },
    UpdateExpression: 'SET amount = amount + :d, parts = list_append(parts, :l), visits = if_not_exists(visits, :zero) + :one',
    ConditionExpression: '#s = :new',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':d': 0.01, ':l': [{ sku: 'C', n: 1 }], ':zero': 0, ':one': 1, ':new': 'NEW' },
    ReturnValues: 'ALL_NEW',
  }));
  assert.equal(out.Attributes.amount, 20);
  assert.equal(out.Attributes.parts.length, 3);
  assert.equal(out.Attributes.visits, 1);
}));

test('a failed condition is ConditionalCheckFailedException with the old Item when asked', () => withLog(d, async () => {
  const e = await rejects(doc.send(new PutCommand({
    TableName: 'js-orders', Item: { customer: 'ada', orderId: 'o-1', status: 'DUP' },
    ConditionExpression: 'attribute_not_exists(customer)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  })));
  assert.ok(e instanceof ConditionalCheckFailedException, e.name);
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.message, 'The conditional request failed');
  assert.equal(e.Item.status.S, 'NEW');
  assert.equal(e.Item.amount.N, '20');
}));

test('Query with a key condition, a filter and paging; the KEYS_ONLY index', () => withLog(d, async () => {
  await doc.send(new BatchWriteCommand({
    RequestItems: {
      'js-orders': Array.from({ length: 9 }, (_, i) => ({
        PutRequest: { Item: { customer: 'bob', orderId: `o-${i + 1}`, status: i % 3 === 0 ? 'PAID' : 'NEW', n: i + 1 } },
      })),
    },
  }));
  const seen = [];
  let start;
  let pages = 0;
  do {
    const page = await doc.send(new QueryCommand({
      TableName: 'js-orders', KeyConditionExpression: 'customer = :c AND begins_with(orderId, :p)',
      ExpressionAttributeValues: { ':c': 'bob', ':p': 'o-' }, Limit: 4, ExclusiveStartKey: start,
    }));
    seen.push(...page.Items.map((it) => it.orderId));
    start = page.LastEvaluatedKey;
    pages++;
  } while (start);
  assert.deepEqual(seen, ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-7', 'o-8', 'o-9']);
  assert.ok(pages >= 3);
  const filtered = await doc.send(new QueryCommand({
    TableName: 'js-orders', KeyConditionExpression: 'customer = :c',
    FilterExpression: 'n > :five', ExpressionAttributeValues: { ':c': 'bob', ':five': 5 },
  }));
  assert.equal(filtered.Count, 4);
  assert.equal(filtered.ScannedCount, 9);
  const idx = await doc.send(new QueryCommand({
    TableName: 'js-orders', IndexName: 'by-status', KeyConditionExpression: '#s = :paid',
    ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':paid': 'PAID' },
  }));
  assert.equal(idx.Count, 3);
  for (const it of idx.Items) assert.deepEqual(Object.keys(it).sort(), ['customer', 'orderId', 'status']);
  const scan = await doc.send(new ScanCommand({ TableName: 'js-orders', Select: 'COUNT' }));
  assert.equal(scan.Count, 10);
  assert.equal(scan.Items, undefined);
}));

test('BatchGet and TransactGet; a cancelled TransactWrite writes nothing', () => withLog(d, async () => {
  const bg = await doc.send(new BatchGetCommand({
    RequestItems: { 'js-orders': { Keys: [{ customer: 'bob', orderId: 'o-1' }, { customer: 'zed', orderId: 'none' }] } },
  }));
  assert.equal(bg.Responses['js-orders'].length, 1);
  assert.deepEqual(bg.UnprocessedKeys, {});
  const e = await rejects(doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: 'js-orders', Item: { customer: 'cy', orderId: 'o-1', status: 'NEW' } } },
      { Update: { TableName: 'js-orders', Key: { customer: 'bob', orderId: 'o-2' },
        UpdateExpression: 'SET #s = :x', ConditionExpression: '#s = :paid',
        ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':x': 'X', ':paid': 'PAID' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
    ],
  })));
  assert.ok(e instanceof TransactionCanceledException, e.name);
  assert.deepEqual(e.CancellationReasons.map((r) => r.Code), ['None', 'ConditionalCheckFailed']);
  assert.equal(e.CancellationReasons[1].Item.status.S, 'NEW');
  assert.match(e.message, /\[None, ConditionalCheckFailed\]/);
  const tg = await doc.send(new TransactGetCommand({
    TransactItems: [
      { Get: { TableName: 'js-orders', Key: { customer: 'cy', orderId: 'o-1' } } },
      { Get: { TableName: 'js-orders', Key: { customer: 'bob', orderId: 'o-2' } } },
    ],
  }));
  assert.equal(tg.Responses[0].Item, undefined);
  assert.equal(tg.Responses[1].Item.status, 'NEW');
}));

test('errors: missing table, bad key, syntax', () => withLog(d, async () => {
  const nf = await rejects(doc.send(new GetCommand({ TableName: 'nope', Key: { customer: 'a', orderId: 'b' } })));
  assert.ok(nf instanceof ResourceNotFoundException, nf.name);
  assert.equal(nf.$metadata.httpStatusCode, 400);
  const bad = await rejects(doc.send(new GetCommand({ TableName: 'js-orders', Key: { customer: 'a' } })));
  assert.equal(bad.name, 'ValidationException');
  assert.equal(bad.message, 'The provided key element does not match the schema');
  const syn = await rejects(doc.send(new QueryCommand({
    TableName: 'js-orders', KeyConditionExpression: 'customer = :c AND',
    ExpressionAttributeValues: { ':c': 'bob' },
  })));
  assert.equal(syn.name, 'ValidationException');
  assert.match(syn.message, /^Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: /);
  const unused = await rejects(doc.send(new GetCommand({
    TableName: 'js-orders', Key: { customer: 'a', orderId: 'b' }, ExpressionAttributeNames: { '#x': 'x' },
    ProjectionExpression: 'customer',
  })));
  assert.equal(unused.name, 'ValidationException');
  assert.equal(unused.message, 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}');
}));

test('the stream: NEW_IMAGE records as the streams client parses them', () => withLog(d, async () => {
  const ls = await streams.send(new ListStreamsCommand({ TableName: 'js-orders' }));
  assert.deepEqual(ls.Streams.map((s) => s.StreamArn), [streamArn]);
  const desc = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  assert.equal(desc.StreamDescription.StreamViewType, 'NEW_IMAGE');
  const shard = desc.StreamDescription.Shards[0];
  assert.ok(shard.SequenceNumberRange.StartingSequenceNumber);
  const it = await streams.send(new GetShardIteratorCommand({
    StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
  }));
  const recs = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 3 }));
  assert.deepEqual(recs.Records.map((r) => r.eventName), ['INSERT', 'MODIFY', 'INSERT']);
  const first = recs.Records[0];
  assert.equal(first.eventSource, 'aws:dynamodb');
  assert.equal(first.eventVersion, '1.1');
  assert.equal(first.awsRegion, 'us-east-1');
  assert.ok(first.dynamodb.ApproximateCreationDateTime instanceof Date);
  assert.equal(first.dynamodb.StreamViewType, 'NEW_IMAGE');
  assert.deepEqual(first.dynamodb.Keys, { customer: { S: 'ada' }, orderId: { S: 'o-1' } });
  assert.equal(first.dynamodb.NewImage.amount.N, '19.99');
  assert.equal(first.dynamodb.OldImage, undefined);
  assert.ok(first.dynamodb.SizeBytes > 0);
  const seqs = recs.Records.map((r) => BigInt(r.dynamodb.SequenceNumber));
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2], `sequence numbers ${seqs}`);
  assert.ok(recs.NextShardIterator);
}));

test('DeleteCommand with ALL_OLD; DeleteTable; the not-exists waiter', () => withLog(d, async () => {
  const del = await doc.send(new DeleteCommand({
    TableName: 'js-orders', Key: { customer: 'bob', orderId: 'o-9' }, ReturnValues: 'ALL_OLD',
  }));
  assert.equal(del.Attributes.n, 9);
  await ddb.send(new UpdateTableCommand({ TableName: 'js-orders', StreamSpecification: { StreamEnabled: false } }));
  const out = await ddb.send(new DeleteTableCommand({ TableName: 'js-orders' }));
  assert.equal(out.TableDescription.TableStatus, 'DELETING');
  const w = await waitUntilTableNotExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { TableName: 'js-orders' });
  assert.equal(w.state, 'SUCCESS');
  const e = await rejects(ddb.send(new DescribeTableCommand({ TableName: 'js-orders' })));
  assert.ok(e instanceof ResourceNotFoundException, e.name);
}));
