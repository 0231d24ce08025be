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

/* Serialized write transaction: takes the write lock, BEGIN IMMEDIATE. 0 or -1. */
int store_write_begin(sqlite3 *db);
/* COMMIT and release the lock. 0, or -1 after rolling back. */
int store_write_commit(sqlite3 *db);
/* ROLLBACK and release the lock. */
void store_write_rollback(sqlite3 *db);
/* 1 if this thread holds the write lock. */
int store_in_write(void);

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
