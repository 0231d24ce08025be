/* store.h: the SQLite store every service keeps its state in.
 *
 * One database (data-dir/awslet.db, WAL, synchronous=NORMAL: a commit survives kill -9 of
 * the daemon), one connection per thread opened on first use, prepared statements cached
 * per connection, and one serialized write path: store_write_begin() takes the process-wide
 * write lock and BEGIN IMMEDIATE, so writers never spin on SQLITE_BUSY. --in-memory keeps
 * the same database in SQLite's memdb VFS instead of a file.
 *
 * Thread rules: store_conn() returns the calling thread's connection; never hand it to
 * another thread. store_open()/store_close() run on the main thread with no workers. */
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
/* Discard this write's changes (the rest of the group is unaffected). */
void store_write_rollback(sqlite3 *db);
/* 1 if this thread is inside store_write_begin()..commit/rollback. */
int store_in_write(void);
/* Writes that shared a COMMIT with another since start-up, and threads queued for the
 * writer right now: for tests and benchmarks. */
unsigned long store_group_commits(void);
int store_write_waiting(void);

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
