/* store.c: opening the database, per-thread read connections, cached statements and the
 * one write path with group commit.
 *
 * Every libmicrohttpd worker and the scheduler get their own read connection the first time
 * they call store_conn(); each connection caches its prepared statements keyed by the
 * address of the (static) SQL text. All writes go through the one writer connection opened
 * by store_open(), under store_write_lock, so nobody ever busy-waits on SQLITE_BUSY; readers
 * run concurrently thanks to WAL. Group commit: a finished write leaves its savepoint in the
 * open transaction; when no other writer is queued (or the group is full) the committer
 * thread COMMITs the whole group, then wakes synchronous writers and calls the callbacks of
 * asynchronous ones. The writer connection is closed last, which keeps an in-memory
 * (memdb) database alive until then and checkpoints the WAL away on a clean stop. */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* A group closes after this many writes even if more are queued, bounding its latency. */
#define STORE_GROUP_MAX 128
/* How long a group may gather under load before its COMMIT. */
#define STORE_GATHER_NS 100000
/* Page cache per connection (KiB, as PRAGMA cache_size takes it negated) and the mmap window
 * of a file store: random reads of a table larger than SQLite's 2 MB default otherwise pread
 * and copy a page each. Upper bounds, not allocations. */
#define STORE_WRITER_CACHE_KIB 65536
#define STORE_READER_CACHE_KIB 16384
#define STORE_MMAP_BYTES (1LL << 30)
/* Checkpoints never run inside a COMMIT: the writer's automatic checkpoint is off, and a
 * checkpointer thread with its own connection copies the WAL back (PASSIVE, concurrently with
 * the writer) once it holds STORE_CKPT_PAGES pages. When the WAL reaches STORE_WAL_MAX_PAGES
 * anyway (the checkpointer cannot finish under a steady stream of writes), the committer
 * finishes the checkpoint between two groups, so that the next write restarts the WAL from its
 * beginning: the WAL stays bounded. */
#define STORE_CKPT_PAGES 1000
#define STORE_WAL_MAX_PAGES 16384

static char store_uri[PATH_MAX + 64];
static char store_file[PATH_MAX];
static bool store_memory;

static pthread_mutex_t store_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_conn *store_registry;

/* The write path: everything below is guarded by store_write_lock. */
static struct store_conn store_writer;
static pthread_mutex_t store_write_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t store_committed = PTHREAD_COND_INITIALIZER;     /* a group ended */
static pthread_cond_t store_commit_wanted = PTHREAD_COND_INITIALIZER; /* wakes the committer */
static pthread_t store_committer;
static bool store_committer_running, store_committer_stop, store_commit_requested;

/* An asynchronous write waiting for its group's COMMIT. */
struct store_pending {
    void (*done)(void *arg, int rc);
    void *arg;
    struct store_pending *next;
};
static struct store_pending *store_group_pending; /* callbacks of the open group */
static void (*_Atomic store_commit_hook)(void);
static _Atomic int store_write_queued;  /* threads waiting for store_write_lock */
static bool store_txn_open;             /* the group transaction is open */
static unsigned store_group_size;       /* writes in the open group */
static unsigned store_last_group;       /* writes in the last group committed */
static unsigned long store_gen;         /* number of the open (or next) group */
static unsigned long store_gen_done;    /* groups numbered below this have ended */
static unsigned long store_gen_failed;  /* the last group whose COMMIT failed, +1; 0 = none */
static unsigned long store_shared;      /* writes that shared a COMMIT */

/* The checkpointer (file stores only). */
static pthread_t store_ckpt_thread;
static pthread_mutex_t store_ckpt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t store_ckpt_wanted = PTHREAD_COND_INITIALIZER;
static bool store_ckpt_running, store_ckpt_stop, store_ckpt_requested;
static sqlite3 *store_ckpt_db;
static _Atomic int store_wal_pages; /* the WAL's size in pages after the last COMMIT */

static void *store_committer_main(void *unused);

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
store_open_conn(int cache_kib)
{
    char pragmas[128];
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
    /* A new database gets 8 KB pages (an existing one keeps its own, since this does nothing
     * once the file has content): a b-tree cell of a WITHOUT ROWID table holds at most about a
     * quarter of a page, so with 4 KB pages every DynamoDB item of 1 KB or more spilled into an
     * overflow page of its own, and each read or write of one touched two pages. */
    if (store_exec(db, "PRAGMA page_size=8192") != 0)
        goto fail;
    if (!store_memory && store_exec(db, "PRAGMA journal_mode=WAL") != 0)
        goto fail;
    if (store_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA temp_store=MEMORY") != 0)
        goto fail;
    snprintf(pragmas, sizeof(pragmas), "PRAGMA cache_size=-%d; PRAGMA mmap_size=%lld", cache_kib,
             store_memory ? 0LL : STORE_MMAP_BYTES);
    if (store_exec(db, pragmas) != 0)
        goto fail;
    return db;
fail:
    sqlite3_close(db);
    return NULL;
}

/* Run one of the writer's transaction-control statements (a string literal) through the
 * statement cache: sqlite3_exec would compile it again on every write, under the lock. */
static int
store_wexec(const char *sql)
{
    sqlite3_stmt *st = store_stmt(store_writer.db, sql);
    int rc;

    if (!st)
        return -1;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("cannot run SQL '%.60s': %s", sql, sqlite3_errmsg(store_writer.db));
        return -1;
    }
    return 0;
}

/* ---- the checkpointer ---------------------------------------------------------------------- */

/* After every COMMIT of the writer (on the committer thread): the WAL's size. */
static int
store_wal_hook(void *unused, sqlite3 *db, const char *name, int pages)
{
    (void)unused;
    (void)db;
    (void)name;
    atomic_store(&store_wal_pages, pages);
    if (pages >= STORE_CKPT_PAGES) {
        pthread_mutex_lock(&store_ckpt_lock);
        store_ckpt_requested = true;
        pthread_cond_signal(&store_ckpt_wanted);
        pthread_mutex_unlock(&store_ckpt_lock);
    }
    return SQLITE_OK;
}

static void *
store_ckpt_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&store_ckpt_lock);
    for (;;) {
        while (!store_ckpt_requested && !store_ckpt_stop)
            pthread_cond_wait(&store_ckpt_wanted, &store_ckpt_lock);
        if (store_ckpt_stop)
            break;
        store_ckpt_requested = false;
        pthread_mutex_unlock(&store_ckpt_lock);
        /* PASSIVE: copies what no reader still needs, never waits, never blocks the writer. */
        int rc = sqlite3_wal_checkpoint_v2(store_ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                           NULL);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("checkpoint: %s", sqlite3_errmsg(store_ckpt_db));
        pthread_mutex_lock(&store_ckpt_lock);
    }
    pthread_mutex_unlock(&store_ckpt_lock);
    return NULL;
}

static int
store_ckpt_start(void)
{
    if (store_memory)
        return 0;
    store_ckpt_db = store_open_conn(2000);
    if (!store_ckpt_db)
        return -1;
    store_ckpt_stop = store_ckpt_requested = false;
    atomic_store(&store_wal_pages, 0);
    if (pthread_create(&store_ckpt_thread, NULL, store_ckpt_main, NULL) != 0) {
        log_error("cannot start the checkpointer thread");
        sqlite3_close(store_ckpt_db);
        store_ckpt_db = NULL;
        return -1;
    }
    store_ckpt_running = true;
    /* Replaces the automatic checkpoint (wal_autocheckpoint is a WAL hook too). */
    sqlite3_wal_hook(store_writer.db, store_wal_hook, NULL);
    return 0;
}

static void
store_ckpt_end(void)
{
    if (!store_ckpt_running)
        return;
    sqlite3_wal_hook(store_writer.db, NULL, NULL);
    pthread_mutex_lock(&store_ckpt_lock);
    store_ckpt_stop = true;
    pthread_cond_signal(&store_ckpt_wanted);
    pthread_mutex_unlock(&store_ckpt_lock);
    pthread_join(store_ckpt_thread, NULL);
    store_ckpt_running = false;
    sqlite3_close(store_ckpt_db);
    store_ckpt_db = NULL;
}

/* mkdir -p: users point --data-dir at paths like .cache/awslet/ci that may not exist. */
static int
store_mkdirs(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
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
        if (store_mkdirs(dir) != 0) {
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
    memset(&store_writer, 0, sizeof(store_writer));
    store_writer.db = store_open_conn(STORE_WRITER_CACHE_KIB);
    if (!store_writer.db)
        return -1;
    if (store_migrate(store_writer.db) != 0) {
        sqlite3_close(store_writer.db);
        store_writer.db = NULL;
        return -1;
    }
    store_txn_open = false;
    store_group_size = 0;
    store_committer_stop = store_commit_requested = false;
    if (store_ckpt_start() != 0) {
        sqlite3_close(store_writer.db);
        store_writer.db = NULL;
        return -1;
    }
    if (pthread_create(&store_committer, NULL, store_committer_main, NULL) != 0) {
        log_error("cannot start the committer thread");
        store_ckpt_end();
        sqlite3_close(store_writer.db);
        store_writer.db = NULL;
        return -1;
    }
    store_committer_running = true;
    return 0;
}

const char *
store_path(void)
{
    return store_file;
}

static void
store_conn_clear(struct store_conn *c)
{
    for (size_t i = 0; i < c->n_slots; i++)
        if (c->slots[i].stmt)
            sqlite3_finalize(c->slots[i].stmt);
    free(c->slots);
    c->slots = NULL;
    c->n_slots = c->n_used = 0;
}

static void
store_conn_free(struct store_conn *c)
{
    store_conn_clear(c);
    sqlite3_close(c->db);
    free(c);
}

void
store_close(void)
{
    if (store_committer_running) {
        /* Every writer has finished by now; the committer ends the last group first. */
        pthread_mutex_lock(&store_write_lock);
        store_committer_stop = true;
        store_commit_requested = store_group_size > 0;
        pthread_cond_signal(&store_commit_wanted);
        pthread_mutex_unlock(&store_write_lock);
        pthread_join(store_committer, NULL);
        store_committer_running = false;
    }
    store_ckpt_end();
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
    if (store_writer.db) {
        store_conn_clear(&store_writer);
        if (!store_memory)
            sqlite3_wal_checkpoint_v2(store_writer.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                      NULL);
        sqlite3_close(store_writer.db);
        store_writer.db = NULL;
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
    c->db = store_open_conn(STORE_READER_CACHE_KIB);
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
    struct store_conn *c = db == store_writer.db ? &store_writer : store_tl;
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

bool
store_read_begin(sqlite3 *db)
{
    sqlite3_stmt *st;
    bool began;

    if (store_tl_writing || db == store_writer.db || !sqlite3_get_autocommit(db) ||
        !(st = store_stmt(db, "BEGIN")))
        return false;
    began = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return began;
}

void
store_read_end(sqlite3 *db, bool began)
{
    sqlite3_stmt *st;

    if (!began || sqlite3_get_autocommit(db))
        return;
    if ((st = store_stmt(db, "COMMIT")) != NULL) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return;
    }
    store_exec(db, "ROLLBACK");
}

/* With the lock held: let the committer end the group if nobody else is about to join it. */
static void
store_maybe_request_commit(void)
{
    if (store_group_size > 0 &&
        (atomic_load(&store_write_queued) == 0 || store_group_size >= STORE_GROUP_MAX)) {
        store_commit_requested = true;
        pthread_cond_signal(&store_commit_wanted);
    }
}

sqlite3 *
store_write_begin(void)
{
    atomic_fetch_add(&store_write_queued, 1);
    pthread_mutex_lock(&store_write_lock);
    atomic_fetch_sub(&store_write_queued, 1);
    if (!store_txn_open) {
        if (store_wexec("BEGIN IMMEDIATE") != 0)
            goto fail;
        store_txn_open = true;
        store_group_size = 0;
    }
    if (store_wexec("SAVEPOINT w") != 0)
        goto fail; /* the group is intact; this write simply cannot start */
    store_tl_writing = 1;
    return store_writer.db;
fail:
    store_maybe_request_commit(); /* writers before us may be waiting on this one */
    pthread_mutex_unlock(&store_write_lock);
    return NULL;
}

/* With the lock held: end the group transaction if no write kept anything in it. Nobody
 * would COMMIT an empty group, and an open transaction keeps its locks: harmless in WAL mode,
 * but in the memdb VFS (--in-memory) it blocks every reader until the next write. */
static void
store_close_empty_group(sqlite3 *db)
{
    if (store_txn_open && store_group_size == 0) {
        store_exec(db, "ROLLBACK");
        store_txn_open = false;
    }
}

/* Close this write's savepoint keeping its changes, with the lock held. 0, or -1 when they
 * could not be kept (they are rolled back and the savepoint closed anyway). */
static int
store_release(sqlite3 *db)
{
    store_tl_writing = 0;
    if (store_wexec("RELEASE w") == 0) {
        store_group_size++;
        return 0;
    }
    store_exec(db, "ROLLBACK TO w");
    store_exec(db, "RELEASE w");
    store_close_empty_group(db);
    return -1;
}

int
store_write_commit_async(sqlite3 *db, void (*done)(void *arg, int rc), void *arg)
{
    struct store_pending *p = NULL;

    if (done && !(p = malloc(sizeof(*p)))) {
        store_write_rollback(db);
        return -1;
    }
    if (store_release(db) != 0) {
        free(p);
        store_maybe_request_commit();
        pthread_mutex_unlock(&store_write_lock);
        return -1;
    }
    if (p) {
        p->done = done;
        p->arg = arg;
        p->next = store_group_pending;
        store_group_pending = p;
    }
    store_maybe_request_commit();
    pthread_mutex_unlock(&store_write_lock);
    return 0;
}

int
store_write_commit(sqlite3 *db)
{
    unsigned long mine = store_gen;
    int rc = store_release(db);

    store_maybe_request_commit();
    if (rc == 0) {
        /* Wait for the committer; queued writers take the lock meanwhile and join us. */
        while (store_gen_done <= mine)
            pthread_cond_wait(&store_committed, &store_write_lock);
        rc = store_gen_failed == mine + 1 ? -1 : 0;
    }
    pthread_mutex_unlock(&store_write_lock);
    return rc;
}

void
store_write_rollback(sqlite3 *db)
{
    /* ROLLBACK TO keeps the savepoint open; RELEASE then closes it, empty. */
    store_exec(db, "ROLLBACK TO w");
    store_exec(db, "RELEASE w");
    store_tl_writing = 0;
    store_close_empty_group(db);
    store_maybe_request_commit();
    pthread_mutex_unlock(&store_write_lock);
}

/* The committer thread: COMMIT the open group when asked, then tell every member. The
 * callbacks run outside the lock, since they resume requests that may start new writes. */
static void *
store_committer_main(void *unused)
{
    pthread_mutex_lock(&store_write_lock);
    for (;;) {
        while (!store_commit_requested && !store_committer_stop)
            pthread_cond_wait(&store_commit_wanted, &store_write_lock);
        store_commit_requested = false;
        if (store_group_size == 0) {
            if (store_committer_stop)
                break;
            continue;
        }
        if (store_last_group > 1 && !store_committer_stop) {
            /* Under load (the last group was shared), give the workers a moment to add the
             * requests they are parsing to this group: one COMMIT then covers more writes. */
            pthread_mutex_unlock(&store_write_lock);
            struct timespec ts = {0, STORE_GATHER_NS};
            nanosleep(&ts, NULL);
            pthread_mutex_lock(&store_write_lock);
        }
        store_last_group = store_group_size;
        unsigned long gen = store_gen;
        int rc = 0;
        if (store_wexec("COMMIT") != 0) {
            store_exec(store_writer.db, "ROLLBACK");
            store_gen_failed = gen + 1;
            rc = -1;
        }
        if (store_ckpt_running && atomic_load(&store_wal_pages) >= STORE_WAL_MAX_PAGES) {
            /* Between groups: finish what the checkpointer could not, so that the next write
             * starts the WAL over (BUSY while the checkpointer runs: the next COMMIT retries). */
            int n_log = 0, n_done = 0;
            if (sqlite3_wal_checkpoint_v2(store_writer.db, NULL, SQLITE_CHECKPOINT_PASSIVE, &n_log,
                                          &n_done) == SQLITE_OK &&
                n_log == n_done)
                atomic_store(&store_wal_pages, 0);
        }
        if (store_group_size > 1)
            store_shared += store_group_size;
        store_txn_open = false;
        store_group_size = 0;
        store_gen_done = ++store_gen;
        struct store_pending *p = store_group_pending;
        store_group_pending = NULL;
        pthread_cond_broadcast(&store_committed);
        pthread_mutex_unlock(&store_write_lock);
        void (*hook)(void) = atomic_load(&store_commit_hook);
        if (hook)
            hook();
        while (p) {
            struct store_pending *next = p->next;
            p->done(p->arg, rc);
            free(p);
            p = next;
        }
        pthread_mutex_lock(&store_write_lock);
    }
    /* An empty transaction that rolled-back writes left open. */
    if (store_txn_open) {
        store_exec(store_writer.db, "ROLLBACK");
        store_txn_open = false;
    }
    pthread_mutex_unlock(&store_write_lock);
    return NULL;
}

int
store_in_write(void)
{
    return store_tl_writing;
}

void
store_set_commit_hook(void (*fn)(void))
{
    atomic_store(&store_commit_hook, fn);
}

int
store_write_waiting(void)
{
    return atomic_load(&store_write_queued);
}

unsigned long
store_group_commits(void)
{
    pthread_mutex_lock(&store_write_lock);
    unsigned long n = store_shared;
    pthread_mutex_unlock(&store_write_lock);
    return n;
}

int
store_wipe(void)
{
    sqlite3 *db = store_write_begin();
    sqlite3_stmt *st;
    int rc = 0;

    if (!db)
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
