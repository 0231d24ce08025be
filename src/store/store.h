/* store.h: the SQLite store every service keeps its state in.
 *
 * One database (data-dir/awslet.db, WAL, synchronous=NORMAL: a commit survives kill -9 of
 * the daemon), one read connection per thread opened on first use, prepared statements
 * cached per connection, and one serialized write path with group commit: every write runs
 * on the single writer connection, under its lock, inside a savepoint of a shared
 * transaction. A write that ends hands its savepoint to the open group and, if no other
 * writer is queued, asks the committer thread to COMMIT the group. Request threads never
 * wait for a COMMIT: store_write_commit_async() returns at once and calls back when the
 * group is durable (the request is suspended meanwhile), so concurrent requests keep
 * joining the open group while the previous one commits. Nothing is acknowledged before
 * the COMMIT that holds it. --in-memory keeps the same database in SQLite's memdb VFS.
 *
 * Thread rules: store_conn() returns the calling thread's read connection; never hand it to
 * another thread. The writer connection is only used between store_write_begin() and
 * store_write_commit*()/store_write_rollback() on the same thread. store_open() and
 * store_close() run on the main thread with no workers. */
#ifndef AWSLET_STORE_H
#define AWSLET_STORE_H

#include <stdbool.h>

#include <sqlite3.h>

struct store_migration {
    int version;     /* strictly increasing; stored in PRAGMA user_version */
    const char *sql; /* one or more statements, run in one transaction */
};

/* Open (creating dir and database if needed) and migrate to the newest schema. 0 or -1. */
int store_open(const char *dir, bool in_memory);
/* Close every connection and checkpoint the WAL. */
void store_close(void);
/* The path of the database file, or ":memdb:" for --in-memory. */
const char *store_path(void);

/* This thread's connection, opened on first use; NULL if it cannot be opened. */
sqlite3 *store_conn(void);
/* Release this thread's connection (thread exit). */
void store_conn_release(void);

/* A cached prepared statement for sql on db: reset, bindings cleared. sql must be a string
 * with static lifetime (its address is the cache key). NULL on a prepare error (logged). */
sqlite3_stmt *store_stmt(sqlite3 *db, const char *sql);

/* Begin a write: take the writer lock, join (or open) the group transaction and open this
 * write's savepoint. Returns the writer connection, to be used for every statement of the
 * write, or NULL. */
sqlite3 *store_write_begin(void);
/* Keep this write's changes and wait until they are committed. 0 once durable; -1 if the
 * group's COMMIT failed (the changes are gone). */
int store_write_commit(sqlite3 *db);
/* Keep this write's changes and return at once. done(arg, rc), if not NULL, runs on the
 * committer thread once the group holding them has committed (rc 0) or failed (rc -1).
 * Returns 0, or -1 if the changes could not be kept (then done is never called). */
int store_write_commit_async(sqlite3 *db, void (*done)(void *arg, int rc), void *arg);
/* Discard this write's changes (the rest of the group is unaffected). */
void store_write_rollback(sqlite3 *db);
/* 1 if this thread is inside store_write_begin()..commit/rollback. */
int store_in_write(void);
/* fn() runs on the committer thread after every group COMMIT (the scheduler's wake-up, so
 * that a timer is looked for only once it is committed). NULL removes it. */
void store_set_commit_hook(void (*fn)(void));
/* Writes that shared a COMMIT with another since start-up, and threads queued for the
 * writer right now: for tests and benchmarks. */
unsigned long store_group_commits(void);
int store_write_waiting(void);

/* A read transaction around several statements of one request on this thread's reader
 * connection: they see one snapshot, and the WAL read lock is taken and dropped once instead
 * of per statement (fcntl calls and a WAL-index check each). store_read_begin returns whether
 * it began one (never inside a write); store_read_end(db, began) ends it. */
bool store_read_begin(sqlite3 *db);
void store_read_end(sqlite3 *db, bool began);

/* Run SQL that returns no rows; logs and returns -1 on error. */
int store_exec(sqlite3 *db, const char *sql);

/* Delete every row of every table (POST /_awslet/reset); schema and version stay. 0 or -1. */
int store_wipe(void);

/* The schema, oldest first (migrate.c). */
extern const struct store_migration store_migrations[];
extern const int store_n_migrations;
/* Apply the migrations newer than the database's user_version, each in its transaction. */
int store_migrate(sqlite3 *db);

#endif
