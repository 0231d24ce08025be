// DynamoDB PartiQL through the AWS SDK for JavaScript v3: the low-level client's
// ExecuteStatementCommand / BatchExecuteStatementCommand / ExecuteTransactionCommand with
// AttributeValue parameters, and the DocumentClient's (@aws-sdk/lib-dynamodb) versions, which
// marshall plain JS values (strings, numbers, booleans, null, objects, arrays, Sets, Uint8Array)
// as Parameters and unmarshall Items. Covers INSERT/SELECT/UPDATE/DELETE, Limit + NextToken
// paging, ORDER BY, per-statement batch errors, transactions that cancel as a whole, and the typed
// exceptions the SDK raises (DuplicateItemException, ConditionalCheckFailedException,
// TransactionCanceledException, ValidationException, ResourceNotFoundException).
// Expected behaviour is DynamoDB's (developer guide: ql-reference.*, API_ExecuteStatement,
// API_BatchExecuteStatement, API_ExecuteTransaction).
// Run: cd tests/integration/node && npm ci && AWSLET_BIN=... node --test ddb_partiql.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient, CreateTableCommand, GetItemCommand, waitUntilTableExists,
  ExecuteStatementCommand, BatchExecuteStatementCommand, ExecuteTransactionCommand,
  ConditionalCheckFailedException, DuplicateItemException, TransactionCanceledException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, ExecuteStatementCommand as DocExecuteStatementCommand,
  BatchExecuteStatementCommand as DocBatchExecuteStatementCommand,
  ExecuteTransactionCommand as DocExecuteTransactionCommand, GetCommand,
} from '@aws-sdk/lib-dynamodb';
import { startAwslet, withLog, clientConfig, stopCleanly, rejects } from './harness.mjs';

const T = 'js-pq';
let d;
let ddb;
let doc;
before(async () => {
  d = await startAwslet({ args: ['--test-clock'] });
  ddb = new DynamoDBClient(clientConfig(d));
  doc = DynamoDBDocumentClient.from(ddb);
  await ddb.send(new CreateTableCommand({
    TableName: T,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 0.1, maxDelay: 0.2 },
    { TableName: T });
});
after(() => stopCleanly(d));

const es = (Statement, Parameters, extra = {}) =>
  ddb.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));
const getItem = async (pk, sk) => (await ddb.send(new GetItemCommand({
  TableName: T, Key: { pk: { S: pk }, sk: { N: String(sk) } }, ConsistentRead: true,
}))).Item;

test('INSERT with AttributeValue parameters of every type round-trips through GetItem', () => withLog(d, async () => {
  const vals = {
    s: { S: 'text' }, n: { N: '-1.25' }, b: { B: new Uint8Array([0, 1, 255]) },
    t: { BOOL: true }, z: { NULL: true }, m: { M: { k: { S: 'v' } } },
    l: { L: [{ N: '1' }, { S: 'two' }] }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2'] },
    bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
  };
  const names = Object.keys(vals);
  const out = await es(
    `INSERT INTO "${T}" VALUE {'pk': ?, 'sk': ?, ${names.map((n) => `'${n}': ?`).join(', ')}}`,
    [{ S: 'types' }, { N: '1' }, ...names.map((n) => vals[n])]);
  assert.deepEqual(out.Items ?? [], []);
  const item = await getItem('types', 1);
  assert.deepEqual(item.s, vals.s);
  assert.deepEqual(item.n, vals.n);
  assert.deepEqual(Array.from(item.b.B), [0, 1, 255]);
  assert.deepEqual(item.t, vals.t);
  assert.deepEqual(item.z, vals.z);
  assert.deepEqual(item.m, vals.m);
  assert.deepEqual(item.l, vals.l);
  assert.deepEqual([...item.ss.SS].sort(), ['a', 'b']);
  assert.deepEqual([...item.ns.NS].sort(), ['1', '2']);
  assert.deepEqual(item.bs.BS.map((x) => Array.from(x)).sort(), [[1], [2]]);
}));

test('INSERT of an existing key is a DuplicateItemException', () => withLog(d, async () => {
  await es(`INSERT INTO "${T}" VALUE {'pk': 'dup', 'sk': 1, 'v': 'first'}`);
  const e = await rejects(es(`INSERT INTO "${T}" VALUE {'pk': 'dup', 'sk': 1, 'v': 'second'}`));
  assert.ok(e instanceof DuplicateItemException, e.name);
  assert.equal(e.message, 'Duplicate primary key exists in table');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.deepEqual((await getItem('dup', 1)).v, { S: 'first' });
}));

test('SELECT by partition in sort-key order, ORDER BY DESC, Limit + NextToken paging', () => withLog(d, async () => {
  for (let i = 1; i <= 9; i++) await es(`INSERT INTO "${T}" VALUE {'pk': 'page', 'sk': ?}`, [{ N: String(i) }]);
  const all = await es(`SELECT sk FROM "${T}" WHERE pk = 'page'`);
  assert.deepEqual(all.Items.map((x) => x.sk.N), ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const seen = [];
  let NextToken;
  let pages = 0;
  do {
    const r = await es(`SELECT sk FROM "${T}" WHERE pk = 'page' ORDER BY sk DESC`, undefined,
      { Limit: 4, NextToken });
    assert.ok(r.Items.length <= 4);
    seen.push(...r.Items.map((x) => Number(x.sk.N)));
    NextToken = r.NextToken;
    pages++;
    assert.ok(pages < 20, 'paging never ends');
  } while (NextToken);
  assert.deepEqual(seen, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.ok(pages >= 3);
}));

test('UPDATE with a failing condition: ConditionalCheckFailedException with the old Item', () => withLog(d, async () => {
  await es(`INSERT INTO "${T}" VALUE {'pk': 'cond', 'sk': 1, 'n': 1}`);
  const e = await rejects(es(`UPDATE "${T}" SET n = 2 WHERE pk = 'cond' AND sk = 1 AND n = 5`,
    undefined, { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
  assert.ok(e instanceof ConditionalCheckFailedException, e.name);
  assert.equal(e.message, 'The conditional request failed');
  assert.deepEqual(e.Item, { pk: { S: 'cond' }, sk: { N: '1' }, n: { N: '1' } });
  const r = await es(`UPDATE "${T}" SET n = n + 1 WHERE pk = 'cond' AND sk = 1 AND n = 1 RETURNING ALL NEW *`);
  assert.deepEqual(r.Items, [{ pk: { S: 'cond' }, sk: { N: '1' }, n: { N: '2' } }]);
}));

test('errors: ValidationException for syntax, key and parameter count; ResourceNotFoundException', () => withLog(d, async () => {
  let e = await rejects(es(`SELECT * FROM "${T}" WHERE pk = = 'x'`));
  assert.equal(e.name, 'ValidationException');
  assert.ok(e.message.startsWith("Statement wasn't well formed, can't be processed"), e.message);
  e = await rejects(es(`DELETE FROM "${T}" WHERE pk = 'x'`));
  assert.equal(e.name, 'ValidationException');
  assert.equal(e.message, 'Where clause does not contain a mandatory equality on all key attributes');
  e = await rejects(es(`SELECT * FROM "${T}" WHERE pk = ?`, [{ S: 'a' }, { S: 'b' }]));
  assert.equal(e.name, 'ValidationException');
  assert.equal(e.message, "Number of parameters in request and statement don't match.");
  e = await rejects(es(`SELECT * FROM "js-nope" WHERE pk = 'x'`));
  assert.ok(e instanceof ResourceNotFoundException, e.name);
}));

test('DocumentClient: plain JS values as Parameters, Items unmarshalled', () => withLog(d, async () => {
  const value = {
    name: 'doc', count: 42, price: 9.5, ok: false, nada: null, tags: new Set(['x', 'y']),
    nums: new Set([1, 2]), nested: { list: [1, 'two', { deep: true }] },
    bin: new Uint8Array([7, 8]),
  };
  await doc.send(new DocExecuteStatementCommand({
    Statement: `INSERT INTO "${T}" VALUE {'pk': ?, 'sk': ?, 'name': ?, 'count': ?, 'price': ?, 'ok': ?, 'nada': ?, 'tags': ?, 'nums': ?, 'nested': ?, 'bin': ?}`,
    Parameters: ['doc', 1, value.name, value.count, value.price, value.ok, value.nada, value.tags,
      value.nums, value.nested, value.bin],
  }));
  const low = await getItem('doc', 1);
  assert.deepEqual(low.count, { N: '42' });
  assert.deepEqual([...low.tags.SS].sort(), ['x', 'y']);
  assert.deepEqual([...low.nums.NS].sort(), ['1', '2']);
  assert.deepEqual(low.nada, { NULL: true });

  const r = await doc.send(new DocExecuteStatementCommand({
    Statement: `SELECT * FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: ['doc', 1],
  }));
  assert.equal(r.Items.length, 1);
  const it = r.Items[0];
  assert.equal(it.pk, 'doc');
  assert.equal(it.sk, 1);
  assert.equal(it.count, 42);
  assert.equal(it.price, 9.5);
  assert.equal(it.ok, false);
  assert.equal(it.nada, null);
  assert.deepEqual(it.tags, new Set(['x', 'y']));
  assert.deepEqual(it.nums, new Set([1, 2]));
  assert.deepEqual(it.nested, { list: [1, 'two', { deep: true }] });
  assert.deepEqual(Array.from(it.bin), [7, 8]);

  await doc.send(new DocExecuteStatementCommand({
    Statement: `UPDATE "${T}" SET "count" = "count" + ? SET tags = set_add(tags, ?) WHERE pk = ? AND sk = ?`,
    Parameters: [8, new Set(['z']), 'doc', 1],
  }));
  const got = (await doc.send(new GetCommand({ TableName: T, Key: { pk: 'doc', sk: 1 }, ConsistentRead: true }))).Item;
  assert.equal(got.count, 50);
  assert.deepEqual(got.tags, new Set(['x', 'y', 'z']));
}));

test('BatchExecuteStatement: a per-statement DuplicateItem among good inserts; reads', () => withLog(d, async () => {
  const r = await ddb.send(new BatchExecuteStatementCommand({
    Statements: [
      { Statement: `INSERT INTO "${T}" VALUE {'pk': 'bat', 'sk': 1}` },
      { Statement: `INSERT INTO "${T}" VALUE {'pk': 'dup', 'sk': 1}` },
      { Statement: `INSERT INTO "${T}" VALUE {'pk': ?, 'sk': ?}`, Parameters: [{ S: 'bat' }, { N: '2' }] },
    ],
  }));
  assert.equal(r.Responses.length, 3);
  assert.equal(r.Responses[0].Error, undefined);
  assert.equal(r.Responses[1].Error.Code, 'DuplicateItem');
  assert.equal(r.Responses[1].Error.Message, 'Duplicate primary key exists in table');
  assert.equal(r.Responses[2].Error, undefined);
  assert.deepEqual(await getItem('bat', 2), { pk: { S: 'bat' }, sk: { N: '2' } });

  const rd = await doc.send(new DocBatchExecuteStatementCommand({
    Statements: [
      { Statement: `SELECT * FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: ['bat', 1] },
      { Statement: `SELECT * FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: ['bat', 99] },
    ],
  }));
  assert.deepEqual(rd.Responses[0].Item, { pk: 'bat', sk: 1 });
  assert.equal(rd.Responses[1].Item, undefined);
  assert.equal(rd.Responses[1].Error, undefined);
}));

test('ExecuteTransaction: cancelled as a whole with reasons in order; then applied; reads', () => withLog(d, async () => {
  const e = await rejects(ddb.send(new ExecuteTransactionCommand({
    TransactStatements: [
      { Statement: `INSERT INTO "${T}" VALUE {'pk': 'tx', 'sk': 1}` },
      { Statement: `INSERT INTO "${T}" VALUE {'pk': 'dup', 'sk': 1}` },
      { Statement: `UPDATE "${T}" SET n = 1 WHERE pk = 'nobody' AND sk = 1` },
    ],
  })));
  assert.ok(e instanceof TransactionCanceledException, e.name);
  assert.deepEqual(e.CancellationReasons.map((x) => x.Code),
    ['None', 'DuplicateItem', 'ConditionalCheckFailed']);
  assert.equal(await getItem('tx', 1), undefined);

  const stmts = [
    { Statement: `INSERT INTO "${T}" VALUE {'pk': ?, 'sk': ?, 'n': ?}`, Parameters: ['tx', 1, 5] },
    { Statement: `EXISTS(SELECT * FROM "${T}" WHERE pk = ? AND sk = ? AND v = ?)`, Parameters: ['dup', 1, 'first'] },
  ];
  await doc.send(new DocExecuteTransactionCommand({ TransactStatements: stmts, ClientRequestToken: 'js-tok' }));
  // the same token and statements again: applied once, no DuplicateItem
  await doc.send(new DocExecuteTransactionCommand({ TransactStatements: stmts, ClientRequestToken: 'js-tok' }));
  const rd = await doc.send(new DocExecuteTransactionCommand({
    TransactStatements: [
      { Statement: `SELECT n FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: ['tx', 1] },
      { Statement: `SELECT * FROM "${T}" WHERE pk = ? AND sk = ?`, Parameters: ['tx', 2] },
    ],
  }));
  assert.deepEqual(rd.Responses[0].Item, { n: 5 });
  assert.equal(rd.Responses[1].Item, undefined);
}));
