/* store.c: opening the database, per-thread connections, cached statements and the one
 * serialized write path.
 *
 * Every libmicrohttpd worker and the scheduler get their own connection the first time they
 * call store_conn(); each connection caches its prepared statements keyed by the address of
 * the (static) SQL text. Writers take a process-wide mutex before BEGIN IMMEDIATE, so at most
 * one write transaction exists and nobody ever busy-waits on SQLITE_BUSY; readers run
 * concurrently thanks to WAL. A "keeper" connection opened by store_open() lives until
 * store_close(), which keeps an in-memory (memdb) database alive and, being closed last,
 * checkpoints the WAL and removes it on a clean stop. */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include "core/log.h"

struct stmt_slot {
    const char *sql;       /* cache key: the SQL text's address */
    sqlite3_stmt *stmt;
};

struct store_conn {
    sqlite3 *db;
    struct stmt_slot *slots; /* open addressing, n_slots a power of two */
    size_t n_slots, n_used;
    struct store_conn *next; /* registry of every connection, for store_close() */
};

static char store_uri[PATH_MAX + 64];
static char store_file[PATH_MAX];
static bool store_memory;
static sqlite3 *store_keeper;

static pthread_mutex_t store_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_conn *store_registry;
static pthread_mutex_t store_write_lock = PTHREAD_MUTEX_INITIALIZER;

static __thread struct store_conn *store_tl;
static __thread int store_tl_writing;

int
store_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        log_error("cannot run SQL '%.60s': %s", sql, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static sqlite3 *
store_open_conn(void)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;

    if (sqlite3_open_v2(store_uri, &db, flags, NULL) != SQLITE_OK) {
        log_error("cannot open database '%s': %s", store_uri, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    /* busy_timeout covers the memdb case (no WAL) and checkpoints; file-backed writers are
     * already serialized by store_write_lock. synchronous=NORMAL in WAL mode: a commit is in
     * the WAL (the OS's page cache) before COMMIT returns, so kill -9 loses nothing. */
    sqlite3_busy_timeout(db, 10000);
    if (!store_memory && store_exec(db, "PRAGMA journal_mode=WAL") != 0)
        goto fail;
    if (store_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA temp_store=MEMORY") != 0)
        goto fail;
    return db;
fail:
    sqlite3_close(db);
    return NULL;
}

int
store_open(const char *dir, bool in_memory)
{
    store_memory = in_memory;
    if (in_memory) {
        /* memdb: a name starting with '/' is shared by every connection of this process. */
        snprintf(store_uri, sizeof(store_uri), "file:/awslet-%ld?vfs=memdb", (long)getpid());
        snprintf(store_file, sizeof(store_file), ":memdb:");
    } else {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            log_error("cannot create data dir '%s': %s", dir, strerror(errno));
            return -1;
        }
        if (snprintf(store_file, sizeof(store_file), "%s/awslet.db", dir) >=
            (int)sizeof(store_file)) {
            log_error("data dir path too long: '%s'", dir);
            return -1;
        }
        /* A plain path is a valid URI as long as it has no '?' or '#'. */
        if (strpbrk(store_file, "?#%")) {
            log_error("data dir path must not contain '?', '#' or '%%': '%s'", dir);
            return -1;
        }
        snprintf(store_uri, sizeof(store_uri), "file:%s", store_file);
    }
    store_keeper = store_open_conn();
    if (!store_keeper)
        return -1;
    if (store_migrate(store_keeper) != 0) {
        sqlite3_close(store_keeper);
        store_keeper = NULL;
        return -1;
    }
    return 0;
}

const char *
store_path(void)
{
    return store_file;
}

static void
store_conn_free(struct store_conn *c)
{
    for (size_t i = 0; i < c->n_slots; i++)
        if (c->slots[i].stmt)
            sqlite3_finalize(c->slots[i].stmt);
    free(c->slots);
    sqlite3_close(c->db);
    free(c);
}

void
store_close(void)
{
    pthread_mutex_lock(&store_registry_lock);
    struct store_conn *c = store_registry;
    store_registry = NULL;
    pthread_mutex_unlock(&store_registry_lock);
    while (c) {
        struct store_conn *next = c->next;
        store_conn_free(c);
        c = next;
    }
    store_tl = NULL;
    if (store_keeper) {
        if (!store_memory)
            sqlite3_wal_checkpoint_v2(store_keeper, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_close(store_keeper);
        store_keeper = NULL;
    }
}

sqlite3 *
store_conn(void)
{
    if (store_tl)
        return store_tl->db;
    struct store_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->db = store_open_conn();
    if (!c->db) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&store_registry_lock);
    c->next = store_registry;
    store_registry = c;
    pthread_mutex_unlock(&store_registry_lock);
    store_tl = c;
    return c->db;
}

void
store_conn_release(void)
{
    struct store_conn *c = store_tl, **pp;
    if (!c)
        return;
    pthread_mutex_lock(&store_registry_lock);
    for (pp = &store_registry; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&store_registry_lock);
    store_tl = NULL;
    store_conn_free(c);
}

static size_t
stmt_hash(const char *sql)
{
    uintptr_t p = (uintptr_t)sql;
    return (size_t)((p >> 3) * 0x9E3779B97F4A7C15ull);
}

static int
stmt_cache_grow(struct store_conn *c)
{
    size_t n = c->n_slots ? c->n_slots * 2 : 64;
    struct stmt_slot *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < c->n_slots; i++) {
        if (!c->slots[i].sql)
            continue;
        size_t j = stmt_hash(c->slots[i].sql) & (n - 1);
        while (slots[j].sql)
            j = (j + 1) & (n - 1);
        slots[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = slots;
    c->n_slots = n;
    return 0;
}

sqlite3_stmt *
store_stmt(sqlite3 *db, const char *sql)
{
    struct store_conn *c = store_tl;
    sqlite3_stmt *st;

    if (!c || c->db != db) {
        /* Only the calling thread's own connection has a cache; anything else is a bug in
         * the caller (a connection handed across threads). */
        log_error("store_stmt on a connection that is not this thread's");
        return NULL;
    }
    if (c->n_used * 2 >= c->n_slots && stmt_cache_grow(c) != 0)
        return NULL;
    size_t j = stmt_hash(sql) & (c->n_slots - 1);
    while (c->slots[j].sql) {
        if (c->slots[j].sql == sql) {
            st = c->slots[j].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        j = (j + 1) & (c->n_slots - 1);
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("cannot prepare '%.80s': %s", sql, sqlite3_errmsg(db));
        return NULL;
    }
    c->slots[j].sql = sql;
    c->slots[j].stmt = st;
    c->n_used++;
    return st;
}

int
store_write_begin(sqlite3 *db)
{
    pthread_mutex_lock(&store_write_lock);
    if (store_exec(db, "BEGIN IMMEDIATE") != 0) {
        pthread_mutex_unlock(&store_write_lock);
        return -1;
    }
    store_tl_writing = 1;
    return 0;
}

int
store_write_commit(sqlite3 *db)
{
    int rc = 0;
    if (store_exec(db, "COMMIT") != 0) {
        store_exec(db, "ROLLBACK");
        rc = -1;
    }
    store_tl_writing = 0;
    pthread_mutex_unlock(&store_write_lock);
    return rc;
}

void
store_write_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        store_exec(db, "ROLLBACK");
    store_tl_writing = 0;
    pthread_mutex_unlock(&store_write_lock);
}

int
store_in_write(void)
{
    return store_tl_writing;
}

int
store_wipe(void)
{
    sqlite3 *db = store_conn();
    sqlite3_stmt *st;
    int rc = 0;

    if (!db || store_write_begin(db) != 0)
        return -1;
    /* Collect names first: deleting while stepping sqlite_master is not allowed. */
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%'",
                           -1, &st, NULL) != SQLITE_OK) {
        store_write_rollback(db);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char **grown = realloc(names, (n + 1) * sizeof(*names));
        if (!grown) {
            rc = -1;
            break;
        }
        names = grown;
        names[n] = sqlite3_mprintf("DELETE FROM \"%w\"", (const char *)sqlite3_column_text(st, 0));
        if (!names[n]) {
            rc = -1;
            break;
        }
        n++;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && store_exec(db, names[i]) != 0)
            rc = -1;
        sqlite3_free(names[i]);
    }
    free(names);
    if (rc != 0) {
        store_write_rollback(db);
        return -1;
    }
    return store_write_commit(db);
}
