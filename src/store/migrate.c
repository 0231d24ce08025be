/* migrate.c: the database schema as a list of numbered migrations.
 *
 * The schema version is SQLite's PRAGMA user_version. At start-up store_migrate() applies
 * every migration newer than the file's version, each in its own transaction together with
 * the version bump, so a crash mid-migration leaves the previous version intact. Services
 * append their tables as new migrations; an applied migration is never edited. */
#include "store/store.h"

#include <stdio.h>

#include "core/log.h"

const struct store_migration store_migrations[] = {
    {1,
     /* meta: small daemon-wide settings (the test-clock offset). */
     "CREATE TABLE meta ("
     "  key   TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL"
     ") WITHOUT ROWID;"
     /* timers: durable scheduler entries (timer.h). ref names the subject (a queue, a
      * message) so a service can cancel its timers; payload is the handler's own data. */
     "CREATE TABLE timers ("
     "  id      INTEGER PRIMARY KEY,"
     "  due_ms  INTEGER NOT NULL,"
     "  kind    TEXT NOT NULL,"
     "  ref     TEXT NOT NULL DEFAULT '',"
     "  payload TEXT NOT NULL DEFAULT ''"
     ");"
     "CREATE INDEX timers_due ON timers(due_ms);"
     "CREATE INDEX timers_ref ON timers(kind, ref);"},
    {2,
     /* SQS (services/sqs/sqs_int.h). Queues keep their attributes in columns because every
      * send and receive reads them. */
     "CREATE TABLE sqs_queues ("
     "  id                 INTEGER PRIMARY KEY,"
     "  account            TEXT NOT NULL,"
     "  region             TEXT NOT NULL,"
     "  name               TEXT NOT NULL,"
     "  fifo               INTEGER NOT NULL,"
     "  delay_seconds      INTEGER NOT NULL,"
     "  max_message_size   INTEGER NOT NULL,"
     "  retention_seconds  INTEGER NOT NULL,"
     "  wait_seconds       INTEGER NOT NULL,"
     "  visibility_timeout INTEGER NOT NULL,"
     "  content_dedup      INTEGER NOT NULL DEFAULT 0,"
     "  dedup_scope        TEXT,"
     "  throughput_limit   TEXT,"
     "  policy             TEXT,"
     "  redrive_policy     TEXT,"
     "  redrive_allow      TEXT,"
     "  dlq_arn            TEXT,"
     "  max_receive_count  INTEGER NOT NULL DEFAULT 0,"
     "  kms_key            TEXT,"
     "  kms_reuse_seconds  INTEGER NOT NULL DEFAULT 300,"
     "  sse                TEXT,"
     "  tags               TEXT NOT NULL DEFAULT '{}',"
     "  created_s          INTEGER NOT NULL,"
     "  modified_s         INTEGER NOT NULL,"
     "  purged_ms          INTEGER NOT NULL DEFAULT 0,"
     "  fifo_seq           INTEGER NOT NULL DEFAULT 0,"
     "  UNIQUE (account, region, name)"
     ");"
     "CREATE INDEX sqs_queues_dlq ON sqs_queues(dlq_arn);"
     /* Names deleted in the last 60 s cannot be reused (QueueDeletedRecently). */
     "CREATE TABLE sqs_deleted ("
     "  account    TEXT NOT NULL,"
     "  region     TEXT NOT NULL,"
     "  name       TEXT NOT NULL,"
     "  deleted_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (account, region, name)"
     ") WITHOUT ROWID;"
     /* Messages. id is the send order (FIFO order within a queue). visible_ms: receivable
      * from then on (delay, or the end of the visibility timeout); receipt: the token of the
      * latest receive, NULL if never received. source_arn: the queue a dead-lettered
      * message came from, for redrive back to it. */
     "CREATE TABLE sqs_messages ("
     "  id               INTEGER PRIMARY KEY,"
     "  queue_id         INTEGER NOT NULL REFERENCES sqs_queues(id) ON DELETE CASCADE,"
     "  message_id       TEXT NOT NULL,"
     "  body             BLOB NOT NULL,"
     "  attributes       TEXT,"
     "  system_attributes TEXT,"
     "  md5_body         TEXT NOT NULL,"
     "  md5_attributes   TEXT,"
     "  md5_system       TEXT,"
     "  sent_ms          INTEGER NOT NULL,"
     "  visible_ms       INTEGER NOT NULL,"
     "  expires_ms       INTEGER NOT NULL,"
     "  receive_count    INTEGER NOT NULL DEFAULT 0,"
     "  first_receive_ms INTEGER NOT NULL DEFAULT 0,"
     "  receipt          TEXT,"
     "  sender_id        TEXT NOT NULL,"
     "  group_id         TEXT,"
     "  dedup_id         TEXT,"
     "  sequence_number  TEXT,"
     "  source_arn       TEXT"
     ");"
     "CREATE INDEX sqs_messages_ready ON sqs_messages(queue_id, visible_ms, id);"
     "CREATE INDEX sqs_messages_order ON sqs_messages(queue_id, id);"
     "CREATE INDEX sqs_messages_group ON sqs_messages(queue_id, group_id, id);"
     /* FIFO deduplication: a (queue, scope key) seen in the last 5 minutes answers the
      * original MessageId and SequenceNumber without storing a message. */
     "CREATE TABLE sqs_dedup ("
     "  queue_id        INTEGER NOT NULL REFERENCES sqs_queues(id) ON DELETE CASCADE,"
     "  dedup_key       TEXT NOT NULL,"
     "  message_id      TEXT NOT NULL,"
     "  sequence_number TEXT NOT NULL,"
     "  expires_ms      INTEGER NOT NULL,"
     "  PRIMARY KEY (queue_id, dedup_key)"
     ") WITHOUT ROWID;"
     /* StartMessageMoveTask: moves a DLQ's messages back, at a rate. */
     "CREATE TABLE sqs_move_tasks ("
     "  handle          TEXT PRIMARY KEY,"
     "  source_arn      TEXT NOT NULL,"
     "  destination_arn TEXT,"
     "  rate            INTEGER,"
     "  status          TEXT NOT NULL,"
     "  moved           INTEGER NOT NULL DEFAULT 0,"
     "  to_move         INTEGER NOT NULL DEFAULT 0,"
     "  failure_reason  TEXT,"
     "  started_ms      INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks(source_arn, started_ms);"},
    {3,
     /* DynamoDB (services/dynamodb/ddb_int.h). A table's definition is its stored
      * TableDescription (desc, JSON); status_until_ms is when a CREATING/UPDATING table turns
      * ACTIVE or a DELETING one disappears, read against the awslet clock. */
     "CREATE TABLE ddb_tables ("
     "  id              INTEGER PRIMARY KEY,"
     "  account         TEXT NOT NULL,"
     "  region          TEXT NOT NULL,"
     "  name            TEXT NOT NULL,"
     "  arn             TEXT NOT NULL,"
     "  created_ms      INTEGER NOT NULL,"
     "  status          TEXT NOT NULL,"
     "  status_until_ms INTEGER NOT NULL DEFAULT 0,"
     "  desc            TEXT NOT NULL,"
     "  ttl_attr        TEXT,"
     "  ttl_status      TEXT NOT NULL DEFAULT 'DISABLED',"
     "  stream_id       INTEGER,"
     "  version         INTEGER NOT NULL DEFAULT 0,"
     "  UNIQUE (account, region, name)"
     ");"
     /* Items under an order-preserving key encoding (ddb_value.h): pk is the partition key,
      * sk the sort key (X'' without one), so a Query is a range scan of the primary key.
      * item is the item as DynamoDB JSON; expires the TTL attribute's epoch seconds. */
     "CREATE TABLE ddb_items ("
     "  tid     INTEGER NOT NULL,"
     "  pk      BLOB NOT NULL,"
     "  sk      BLOB NOT NULL,"
     "  item    BLOB NOT NULL,"
     "  size    INTEGER NOT NULL,"
     "  expires INTEGER,"
     "  PRIMARY KEY (tid, pk, sk)"
     ") WITHOUT ROWID;"
     "CREATE INDEX ddb_items_expires ON ddb_items(tid, expires) WHERE expires IS NOT NULL;"
     /* Secondary-index entries: the index key (pk, sk) then the base key (bpk, bsk), which
      * makes GSI keys unique rows; item is the projected item. */
     "CREATE TABLE ddb_index_items ("
     "  tid   INTEGER NOT NULL,"
     "  iname TEXT NOT NULL,"
     "  pk    BLOB NOT NULL,"
     "  sk    BLOB NOT NULL,"
     "  bpk   BLOB NOT NULL,"
     "  bsk   BLOB NOT NULL,"
     "  item  BLOB NOT NULL,"
     "  size  INTEGER NOT NULL,"
     "  PRIMARY KEY (tid, iname, pk, sk, bpk, bsk)"
     ") WITHOUT ROWID;"
     "CREATE INDEX ddb_index_items_base ON ddb_index_items(tid, bpk, bsk);"
     "CREATE TABLE ddb_tags ("
     "  tid   INTEGER NOT NULL,"
     "  key   TEXT NOT NULL,"
     "  value TEXT NOT NULL,"
     "  PRIMARY KEY (tid, key)"
     ") WITHOUT ROWID;"
     /* Streams outlive their table by 24 hours, hence the copied names. One shard each. */
     "CREATE TABLE ddb_streams ("
     "  id          INTEGER PRIMARY KEY,"
     "  tid         INTEGER,"
     "  account     TEXT NOT NULL,"
     "  region      TEXT NOT NULL,"
     "  table_name  TEXT NOT NULL,"
     "  arn         TEXT NOT NULL UNIQUE,"
     "  label       TEXT NOT NULL,"
     "  view_type   TEXT NOT NULL,"
     "  key_schema  TEXT NOT NULL,"
     "  shard_id    TEXT NOT NULL,"
     "  created_ms  INTEGER NOT NULL,"
     "  disabled_ms INTEGER,"
     "  next_seq    INTEGER NOT NULL DEFAULT 1"
     ");"
     "CREATE INDEX ddb_streams_table ON ddb_streams(account, region, table_name);"
     "CREATE TABLE ddb_stream_records ("
     "  sid        INTEGER NOT NULL,"
     "  seq        INTEGER NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  record     TEXT NOT NULL,"
     "  PRIMARY KEY (sid, seq)"
     ") WITHOUT ROWID;"
     /* TransactWriteItems ClientRequestToken: 10 minutes of idempotency. */
     "CREATE TABLE ddb_tx_tokens ("
     "  account    TEXT NOT NULL,"
     "  region     TEXT NOT NULL,"
     "  token      TEXT NOT NULL,"
     "  digest     TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (account, region, token)"
     ") WITHOUT ROWID;"},
    {4,
     /* DynamoDB on-demand backups (services/dynamodb/ddb_backup.h). A backup outlives its
      * table, so it keeps the table's names and its stored TableDescription (desc) as they
      * were; ttl_attr is the TTL attribute when TTL was enabled. The items are copied
      * verbatim from ddb_items (same key encoding) inside the CreateBackup write. */
     "CREATE TABLE ddb_backups ("
     "  id          INTEGER PRIMARY KEY,"
     "  account     TEXT NOT NULL,"
     "  region      TEXT NOT NULL,"
     "  arn         TEXT NOT NULL UNIQUE,"
     "  name        TEXT NOT NULL,"
     "  type        TEXT NOT NULL DEFAULT 'USER',"
     "  table_name  TEXT NOT NULL,"
     "  table_arn   TEXT NOT NULL,"
     "  table_id    TEXT NOT NULL,"
     "  created_ms  INTEGER NOT NULL,"
     "  size_bytes  INTEGER NOT NULL,"
     "  item_count  INTEGER NOT NULL,"
     "  desc        TEXT NOT NULL,"
     "  ttl_attr    TEXT"
     ");"
     "CREATE INDEX ddb_backups_list ON ddb_backups(account, region, created_ms, arn);"
     "CREATE TABLE ddb_backup_items ("
     "  bid   INTEGER NOT NULL,"
     "  pk    BLOB NOT NULL,"
     "  sk    BLOB NOT NULL,"
     "  item  BLOB NOT NULL,"
     "  size  INTEGER NOT NULL,"
     "  PRIMARY KEY (bid, pk, sk)"
     ") WITHOUT ROWID;"},
};

const int store_n_migrations = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));

static int
migrate_user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int
store_migrate(sqlite3 *db)
{
    int have = migrate_user_version(db);
    if (have < 0) {
        log_error("cannot read schema version: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (have > store_migrations[store_n_migrations - 1].version) {
        log_error("database schema version %d is newer than this awslet knows (%d)", have,
                  store_migrations[store_n_migrations - 1].version);
        return -1;
    }
    for (int i = 0; i < store_n_migrations; i++) {
        const struct store_migration *m = &store_migrations[i];
        char bump[64];

        if (m->version <= have)
            continue;
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
        if (store_exec(db, "BEGIN IMMEDIATE") != 0)
            return -1;
        if (store_exec(db, m->sql) != 0 || store_exec(db, bump) != 0) {
            store_exec(db, "ROLLBACK");
            log_error("cannot apply schema migration %d", m->version);
            return -1;
        }
        if (store_exec(db, "COMMIT") != 0)
            return -1;
        log_debug("applied schema migration %d", m->version);
    }
    return 0;
}
