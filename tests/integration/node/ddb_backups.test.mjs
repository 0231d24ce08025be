// DynamoDB on-demand backups through the AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb).
// Backups are taken while several async writers keep committing TransactWriteItems that each
// write both halves of a pair (new pairs, and new versions of old pairs). A backup is the table at
// one instant (API_CreateBackup; the developer guide's "Backup and restore"), so each restored
// table must hold, per writer, exactly the state after some prefix of that writer's transactions:
// whole pairs only, every item equal to what was written for its key, the prefix no shorter than
// what had been acknowledged before CreateBackup was sent and no longer than what had been started
// when it answered. Then the daemon is restarted on the same data dir and the backups and restored
// tables must be unchanged; ListBackups with TimeRangeLowerBound (inclusive) / TimeRangeUpperBound
// (exclusive) and Limit paging on the test clock; and the errors as the SDK raises them.
// Run: cd tests/integration/node && npm ci && AWSLET_BIN=... node --test ddb_backups.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, TransactWriteItemsCommand,
  ScanCommand, QueryCommand, CreateBackupCommand, DescribeBackupCommand, ListBackupsCommand,
  DeleteBackupCommand, RestoreTableFromBackupCommand, DescribeContinuousBackupsCommand,
  waitUntilTableExists, BackupNotFoundException, TableAlreadyExistsException,
  TableNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { startAwslet, withLog, clientConfig, rejects } from './harness.mjs';

const ARN_PREFIX = 'arn:aws:dynamodb:us-east-1:000000000000';
const WRITERS = 4;
const SNAPSHOT_AT = [40, 200, 400]; // backups once this many transactions are acknowledged
const TOTAL = 600; // transactions acknowledged before the writers stop

let first; // the daemon the suite starts with; its data dir is reused after the restart
let d; // the daemon now answering
let ddb;
before(async () => {
  first = d = await startAwslet({ args: ['--test-clock'] });
  ddb = new DynamoDBClient(clientConfig(d));
});
after(async () => {
  if (!d) return;
  const rc = await d.stop();
  const log = d.log();
  if (d !== first) d.cleanup();
  first.cleanup();
  assert.equal(rc, 0, `awslet exited ${rc} on SIGTERM\n${log}`);
});

async function advanceClock(ms) {
  const r = await fetch(`${d.url}/_awslet/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: ms }) });
  assert.equal(r.status, 200, await r.text());
}

async function createTable(name, extra = {}) {
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...extra,
  }));
  await waitFor(name);
}

async function waitFor(name) {
  const w = await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: name });
  assert.equal(w.state, 'SUCCESS');
}

// Every item of a table (consistent, all pages), keyed "pk|sk".
async function scanAll(table) {
  const out = new Map();
  let start;
  do {
    const r = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true, Limit: 50, ExclusiveStartKey: start }));
    for (const it of r.Items) out.set(`${it.pk.S}|${it.sk.S}`, it);
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

// Set members in a fixed order: a set's order carries no meaning in DynamoDB.
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) {
      o[k] = (k === 'SS' || k === 'NS' || k === 'BS') ? canon(v[k]).sort() : canon(v[k]);
    }
    return o;
  }
  return v;
}

// ---- the writers ------------------------------------------------------------------------------

// The item writer w puts for half h of pair p in its transaction number t (1-based): every
// attribute derives from (w, p, t, h), so a restored item can be checked against its key alone.
function pairItem(w, p, t, h) {
  return {
    pk: { S: `w${w}` },
    sk: { S: `p${String(p).padStart(4, '0')}#${h}` },
    pair: { N: String(p) },
    ver: { N: String(t) },
    half: { S: h },
    data: { S: `w${w}-p${p}-v${t}-${h}` },
    amount: { N: `${t}.25` },
    tags: { SS: [`t${t}`, `p${p}`, h] },
    bin: { B: Uint8Array.from([w, p & 255, t & 255]) },
    meta: { M: { writer: { N: String(w) }, odd: { BOOL: t % 2 === 1 }, none: { NULL: true }, path: { L: [{ S: h }, { N: String(p) }] } } },
  };
}

// Writer w's transaction t: a new pair, or (every third) a new version of an earlier one.
function pairOf(t, pairsSoFar) {
  return t % 3 === 0 && pairsSoFar > 0 ? ((t * 7) % pairsSoFar) + 1 : pairsSoFar + 1;
}

// The items of writer w after its first k transactions, keyed "pk|sk".
function replay(w, k) {
  const state = new Map();
  let pairs = 0;
  for (let t = 1; t <= k; t++) {
    const p = pairOf(t, pairs);
    if (p > pairs) pairs = p;
    for (const h of ['a', 'b']) {
      const it = pairItem(w, p, t, h);
      state.set(`${it.pk.S}|${it.sk.S}`, it);
    }
  }
  return state;
}

function startWriters(table) {
  const st = { started: new Array(WRITERS).fill(0), done: new Array(WRITERS).fill(0), stop: false, errors: [] };
  st.total = () => st.done.reduce((a, b) => a + b, 0);
  st.finished = Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
    const client = new DynamoDBClient(clientConfig(d));
    let pairs = 0;
    try {
      while (!st.stop) {
        const t = st.started[w] + 1;
        const p = pairOf(t, pairs);
        st.started[w] = t;
        await client.send(new TransactWriteItemsCommand({
          TransactItems: ['a', 'b'].map((h) => ({ Put: { TableName: table, Item: pairItem(w, p, t, h) } })),
        }));
        if (p > pairs) pairs = p;
        st.done[w] = t;
      }
    } catch (e) {
      st.errors.push(e);
    } finally {
      client.destroy();
    }
  }));
  return st;
}

// Resolve once cond() holds, polling the writers' progress (not waiting for AWS time).
async function until(cond, st) {
  while (!cond()) {
    if (st.errors.length) throw st.errors[0];
    await new Promise((r) => setTimeout(r, 2));
  }
}

// ---- the tests ---------------------------------------------------------------------------------

const backups = []; // { arn, doneBefore, startedAfter, desc }
const restored = new Map(); // restored table name -> its items (Map) as first scanned
let st; // the writers' progress
// withLog's view of whichever daemon is answering (the restart replaces it)
const cur = { get logPath() { return d.logPath; }, log: () => d.log() };

test('backups taken under concurrent TransactWriteItems are each one consistent snapshot', () => withLog(cur, async () => {
  await createTable('js-pairs', {
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'half', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: 'by-half',
      KeySchema: [{ AttributeName: 'half', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  });
  st = startWriters('js-pairs');
  try {
    for (const [n, at] of SNAPSHOT_AT.entries()) {
      await until(() => st.total() >= at, st);
      const doneBefore = [...st.done];
      const out = await ddb.send(new CreateBackupCommand({ TableName: 'js-pairs', BackupName: `pairs-${n}` }));
      const startedAfter = [...st.started];
      const b = out.BackupDetails;
      assert.match(b.BackupArn, new RegExp(`^${ARN_PREFIX}:table/js-pairs/backup/\\d{14}-[0-9a-f]{8}$`));
      assert.equal(b.BackupName, `pairs-${n}`);
      assert.equal(b.BackupStatus, 'AVAILABLE');
      assert.equal(b.BackupType, 'USER');
      assert.ok(b.BackupCreationDateTime instanceof Date);
      backups.push({ arn: b.BackupArn, doneBefore, startedAfter });
    }
    await until(() => st.total() >= TOTAL, st);
  } finally {
    st.stop = true;
    await st.finished;
  }
  assert.deepEqual(st.errors, []);
  assert.ok(backups.every((b, i) => i === 0 || b.doneBefore.some((n, w) => n > backups[i - 1].startedAfter[w])),
    'the writers made progress between backups');

  const finalSource = await scanAll('js-pairs');
  const prefixes = [];
  for (const [n, b] of backups.entries()) {
    const name = `js-pairs-r${n}`;
    const r = await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: name, BackupArn: b.arn }));
    assert.equal(r.TableDescription.TableName, name);
    assert.equal(r.TableDescription.RestoreSummary.SourceBackupArn, b.arn);
    assert.equal(r.TableDescription.RestoreSummary.SourceTableArn, `${ARN_PREFIX}:table/js-pairs`);
    await waitFor(name);
    const items = await scanAll(name);
    restored.set(name, items);

    // Whole pairs only, both halves of one version, every item exactly as written for its key.
    const byPair = new Map();
    for (const [key, it] of items) {
      const m = /^w(\d+)$/.exec(it.pk.S);
      assert.ok(m, `unexpected item ${key}`);
      const w = Number(m[1]);
      const p = Number(it.pair.N);
      const t = Number(it.ver.N);
      assert.deepEqual(canon(it), canon(pairItem(w, p, t, it.half.S)), `${name}: ${key} differs from what was written`);
      const pk = `${w}/${p}`;
      byPair.set(pk, [...(byPair.get(pk) || []), `${it.half.S}@${t}`]);
    }
    for (const [pk, halves] of byPair) {
      assert.equal(halves.length, 2, `${name}: pair ${pk} restored as ${halves}`);
      assert.equal(halves[0].split('@')[1], halves[1].split('@')[1], `${name}: pair ${pk} mixes versions ${halves}`);
    }

    // Per writer, the state after some prefix of its transactions, within what the backup
    // must and may hold.
    const prefix = [];
    for (let w = 0; w < WRITERS; w++) {
      const mine = new Map([...items].filter(([, it]) => it.pk.S === `w${w}`));
      const maxVer = Math.max(0, ...[...mine.values()].map((it) => Number(it.ver.N)));
      const want = replay(w, maxVer);
      assert.deepEqual([...mine.keys()].sort(), [...want.keys()].sort(), `${name}: writer ${w}'s keys after ${maxVer} transactions`);
      for (const [key, it] of mine) assert.deepEqual(canon(it), canon(want.get(key)), `${name}: ${key} after ${maxVer} transactions`);
      assert.ok(maxVer >= b.doneBefore[w], `${name}: writer ${w} had ${b.doneBefore[w]} acknowledged before CreateBackup; restored ${maxVer}`);
      assert.ok(maxVer <= b.startedAfter[w], `${name}: writer ${w} had started ${b.startedAfter[w]} when CreateBackup answered; restored ${maxVer}`);
      prefix.push(maxVer);
    }
    prefixes.push(prefix);

    const desc = (await ddb.send(new DescribeBackupCommand({ BackupArn: b.arn }))).BackupDescription;
    assert.equal(desc.SourceTableDetails.ItemCount, items.size);
    assert.equal(desc.SourceTableDetails.TableName, 'js-pairs');
    assert.deepEqual(desc.SourceTableFeatureDetails.GlobalSecondaryIndexes.map((g) => g.IndexName), ['by-half']);
    b.desc = desc;
    const t = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
    assert.equal(t.TableStatus, 'ACTIVE');
    assert.equal(t.RestoreSummary.RestoreInProgress, false);
    assert.equal(t.GlobalSecondaryIndexes[0].IndexName, 'by-half');
    assert.equal(t.ItemCount, items.size);
    // The index was rebuilt from the restored items: one entry per half.
    for (const h of ['a', 'b']) {
      const q = await ddb.send(new QueryCommand({
        TableName: name, IndexName: 'by-half', KeyConditionExpression: 'half = :h',
        ExpressionAttributeValues: { ':h': { S: h } }, Select: 'COUNT',
      }));
      assert.equal(q.Count, items.size / 2, `${name}: index entries of half ${h}`);
    }
  }
  // Later backups hold more of every writer's work; the source went on after the last one.
  for (let n = 1; n < prefixes.length; n++)
    for (let w = 0; w < WRITERS; w++) assert.ok(prefixes[n][w] >= prefixes[n - 1][w], `writer ${w}: ${prefixes}`);
  assert.ok(finalSource.size > restored.get(`js-pairs-r${backups.length - 1}`).size);
  // The source itself holds every writer's whole sequence (nothing lost under the backups).
  assert.deepEqual(st.done, st.started);
  for (let w = 0; w < WRITERS; w++) {
    const mine = new Map([...finalSource].filter(([, it]) => it.pk.S === `w${w}`));
    assert.deepEqual(canon(Object.fromEntries(mine)), canon(Object.fromEntries(replay(w, st.done[w]))), `source, writer ${w}`);
  }
  const cb = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'js-pairs' }));
  assert.equal(cb.ContinuousBackupsDescription.ContinuousBackupsStatus, 'ENABLED');
  assert.equal(cb.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus, 'DISABLED');
}));

test('backups and restored tables survive a restart on the same data dir', () => withLog(cur, async () => {
  assert.equal(backups.length, SNAPSHOT_AT.length, 'the first test made the backups');
  const listedBefore = (await ddb.send(new ListBackupsCommand({ TableName: 'js-pairs' }))).BackupSummaries;
  assert.deepEqual(listedBefore.map((s) => s.BackupArn), backups.map((b) => b.arn));

  assert.equal(await d.stop(), 0);
  ddb.destroy();
  d = await startAwslet({ args: ['--test-clock', '--data-dir', first.dataDir] });
  ddb = new DynamoDBClient(clientConfig(d));

  const listed = (await ddb.send(new ListBackupsCommand({ TableName: 'js-pairs' }))).BackupSummaries;
  assert.deepEqual(listed, listedBefore);
  for (const b of backups) {
    const desc = (await ddb.send(new DescribeBackupCommand({ BackupArn: b.arn }))).BackupDescription;
    assert.deepEqual(desc, b.desc);
  }
  for (const [name, items] of restored) {
    const now = await scanAll(name);
    assert.deepEqual(canon(Object.fromEntries(now)), canon(Object.fromEntries(items)), `${name} after the restart`);
    const t = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
    assert.equal(t.TableStatus, 'ACTIVE');
    assert.ok(backups.some((b) => b.arn === t.RestoreSummary.SourceBackupArn));
  }
  // The backups' own items survived too: a restore made after the restart equals the first one.
  const r = await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: 'js-pairs-again', BackupArn: backups[1].arn }));
  assert.equal(r.TableDescription.TableStatus, 'CREATING');
  await waitFor('js-pairs-again');
  assert.deepEqual(canon(Object.fromEntries(await scanAll('js-pairs-again'))),
    canon(Object.fromEntries(restored.get('js-pairs-r1'))));
}));

test('ListBackups by time range: lower bound inclusive, upper bound exclusive; Limit paging', () => withLog(cur, async () => {
  await createTable('js-times');
  const made = [];
  for (let i = 0; i < 3; i++) {
    await advanceClock(10000);
    const b = (await ddb.send(new CreateBackupCommand({ TableName: 'js-times', BackupName: `times-${i}` }))).BackupDetails;
    made.push(b);
  }
  const [a1, a2, a3] = made.map((b) => b.BackupArn);
  const [t1, t2, t3] = made.map((b) => b.BackupCreationDateTime);
  assert.ok(t2 - t1 >= 10000 && t3 - t2 >= 10000, `creation times ${t1.toISOString()} ${t2.toISOString()} ${t3.toISOString()}`);
  const ms = (t, plus) => new Date(t.getTime() + plus);
  const listed = async (input) =>
    (await ddb.send(new ListBackupsCommand(input))).BackupSummaries.map((s) => s.BackupArn);

  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeLowerBound: t1, TimeRangeUpperBound: t3 }), [a1, a2]);
  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeLowerBound: ms(t1, 1), TimeRangeUpperBound: ms(t3, 1) }), [a2, a3]);
  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeLowerBound: ms(t1, 5000) }), [a2, a3]);
  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeUpperBound: t1 }), []);
  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeLowerBound: t2, TimeRangeUpperBound: t2 }), []);
  assert.deepEqual(await listed({ TableName: 'js-times', TimeRangeLowerBound: t2, TimeRangeUpperBound: ms(t2, 1) }), [a2]);
  // Without a table: every table's backups in the range (the load test's are all older).
  assert.deepEqual(await listed({ TimeRangeLowerBound: t1 }), [a1, a2, a3]);
  assert.deepEqual((await listed({ TimeRangeUpperBound: t1 })).sort(), backups.map((b) => b.arn).sort());

  // Paging one at a time: LastEvaluatedBackupArn while more remain, then none.
  const pages = [];
  let start;
  do {
    const r = await ddb.send(new ListBackupsCommand({ TimeRangeLowerBound: t1, Limit: 1, ExclusiveStartBackupArn: start }));
    pages.push(r.BackupSummaries.map((s) => s.BackupArn));
    start = r.LastEvaluatedBackupArn;
    if (start) assert.equal(start, pages.at(-1).at(-1));
    assert.ok(pages.length <= 4, 'paging does not end');
  } while (start);
  assert.deepEqual(pages, [[a1], [a2], [a3]]);
  const s = (await ddb.send(new ListBackupsCommand({ TableName: 'js-times', Limit: 1 }))).BackupSummaries[0];
  assert.equal(s.BackupName, 'times-0');
  assert.equal(s.TableArn, `${ARN_PREFIX}:table/js-times`);
  assert.equal(s.BackupStatus, 'AVAILABLE');
  assert.equal(s.BackupCreationDateTime.getTime(), t1.getTime());
}));

test('errors: BackupNotFoundException, TableAlreadyExistsException, TableNotFoundException', () => withLog(cur, async () => {
  const missing = `${ARN_PREFIX}:table/js-pairs/backup/01700000000000-0123abcd`;
  for (const cmd of [
    new DescribeBackupCommand({ BackupArn: missing }),
    new DeleteBackupCommand({ BackupArn: missing }),
    new RestoreTableFromBackupCommand({ BackupArn: missing, TargetTableName: 'js-never' }),
  ]) {
    const e = await rejects(ddb.send(cmd));
    assert.ok(e instanceof BackupNotFoundException, `${cmd.constructor.name}: ${e}`);
    assert.equal(e.name, 'BackupNotFoundException');
    assert.equal(e.message, `Backup not found: ${missing}`);
    assert.equal(e.$metadata.httpStatusCode, 400);
  }
  await rejects(ddb.send(new DescribeTableCommand({ TableName: 'js-never' })));

  // A deleted backup is not found either; what was restored from it stays.
  const victim = backups[0].arn;
  const del = await ddb.send(new DeleteBackupCommand({ BackupArn: victim }));
  assert.equal(del.BackupDescription.BackupDetails.BackupStatus, 'DELETED');
  let e = await rejects(ddb.send(new DescribeBackupCommand({ BackupArn: victim })));
  assert.equal(e.name, 'BackupNotFoundException');
  assert.equal(e.message, `Backup not found: ${victim}`);
  assert.equal((await scanAll('js-pairs-r0')).size, restored.get('js-pairs-r0').size);

  e = await rejects(ddb.send(new RestoreTableFromBackupCommand({ BackupArn: backups[1].arn, TargetTableName: 'js-pairs' })));
  assert.ok(e instanceof TableAlreadyExistsException, String(e));
  assert.equal(e.name, 'TableAlreadyExistsException');
  assert.equal(e.message, 'Table already exists: js-pairs');
  assert.equal(e.$metadata.httpStatusCode, 400);

  e = await rejects(ddb.send(new CreateBackupCommand({ TableName: 'js-missing', BackupName: 'nothing' })));
  assert.ok(e instanceof TableNotFoundException, String(e));
  assert.equal(e.name, 'TableNotFoundException');
  assert.equal(e.message, 'Table not found: js-missing');
  assert.equal(e.$metadata.httpStatusCode, 400);
  const names = (await ddb.send(new ListBackupsCommand({ BackupType: 'ALL' }))).BackupSummaries.map((x) => x.BackupName);
  assert.ok(!names.includes('nothing'));
}));
