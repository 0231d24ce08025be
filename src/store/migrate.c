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
