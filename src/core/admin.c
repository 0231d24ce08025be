/* admin.c: the /_awslet/ endpoints.
 *
 *   GET  /_awslet/health  {"status":"running","version":...,"services":{"sqs":"available",...}}
 *   POST /_awslet/reset   wipe every table (test suites), then each service's reset hook
 *   GET  /_awslet/info    version, uptime, data dir, schema version, configuration
 *   GET|POST /_awslet/clock  the test clock; POST {"advance_ms":N} or {"advance_seconds":N}
 *                            moves it forward (only with --test-clock). The offset is kept in
 *                            the meta table, committed before the answer, so it survives
 *                            restarts like any acknowledged write. */
#include "core/admin.h"

#include <stdlib.h>
#include <string.h>

#include "awslet.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/proto_json.h"
#include "services/service.h"
#include "store/store.h"

static const char clock_key[] = "clock_offset_ms";

static void
admin_reply(struct awslet_req *req, unsigned status, json_t *body)
{
    req->status = status;
    req->raw_content_type = "application/json";
    free(req->raw_body);
    req->raw_body = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    req->raw_len = req->raw_body ? strlen(req->raw_body) : 0;
    json_decref(body);
    if (!req->raw_body) {
        req->status = 500;
        req->raw_body = strdup("{\"message\":\"out of memory\"}");
        req->raw_len = req->raw_body ? strlen(req->raw_body) : 0;
    }
}

static void
admin_message(struct awslet_req *req, unsigned status, const char *msg)
{
    admin_reply(req, status, json_pack("{s:s}", "message", msg));
}

static void
admin_health(struct awslet_req *req)
{
    json_t *services = json_object();
    for (size_t i = 0; i < awslet_n_services && services; i++)
        json_object_set_new(services, awslet_services[i]->name, json_string("available"));
    admin_reply(req, 200, json_pack("{s:s, s:s, s:o*}", "status", "running", "version",
                                    AWSLET_VERSION, "services", services));
}

static int
admin_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = store_stmt(db, "PRAGMA user_version");
    int v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

static void
admin_info(struct awslet_req *req)
{
    sqlite3 *db = store_conn();
    json_t *config = json_pack(
        "{s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:i, s:b}", "host", awslet_cfg.host, "port",
        (int)awslet_cfg.bound_port, "region", awslet_cfg.region, "account_id",
        awslet_cfg.account_id, "log_level", awslet_cfg.log_level, "log_format",
        awslet_cfg.log_format, "max_body_size", (json_int_t)awslet_cfg.max_body_size, "threads",
        (int)awslet_cfg.threads, "test_clock", awslet_cfg.test_clock);
    char *abs = awslet_cfg.in_memory ? NULL : realpath(awslet_cfg.data_dir, NULL);

    admin_reply(req, 200,
                json_pack("{s:s, s:I, s:s?, s:b, s:i, s:o*}", "version", AWSLET_VERSION,
                          "uptime_seconds",
                          (json_int_t)((clock_now_ms() - clock_offset_ms() -
                                        awslet_cfg.started_ms) / 1000),
                          "data_dir", awslet_cfg.in_memory ? NULL : (abs ? abs : awslet_cfg.data_dir),
                          "in_memory", awslet_cfg.in_memory, "schema_version",
                          db ? admin_schema_version(db) : -1, "config", config));
    free(abs);
}

/* Persist the offset the clock should have, then apply it (ack after commit). */
static int
admin_store_offset(long long offset)
{
    static const char sql[] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st;
    char v[32];

    snprintf(v, sizeof(v), "%lld", offset);
    sqlite3 *db = store_write_begin();
    if (!db)
        return -1;
    st = store_stmt(db, sql);
    if (!st || sqlite3_bind_text(st, 1, clock_key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        store_write_rollback(db);
        return -1;
    }
    return store_write_commit(db);
}

static void
admin_clock(struct awslet_req *req)
{
    char err[128];
    json_t *in, *v;
    long long advance = 0;

    if (!clock_test_enabled()) {
        admin_message(req, 403, "the test clock is off: start awslet with --test-clock");
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        in = json_decode_body(req->body, req->body_len, err, sizeof(err));
        if (!in) {
            admin_message(req, 400, err);
            return;
        }
        if ((v = json_object_get(in, "advance_ms")) && json_is_integer(v))
            advance = json_integer_value(v);
        else if ((v = json_object_get(in, "advance_seconds")) && json_is_number(v))
            advance = (long long)(json_number_value(v) * 1000.0);
        json_decref(in);
        if (advance <= 0 || advance > 100LL * 365 * 86400 * 1000) {
            admin_message(req, 400, "give a positive \"advance_ms\" or \"advance_seconds\"");
            return;
        }
        if (admin_store_offset(clock_offset_ms() + advance) != 0) {
            admin_message(req, 500, "cannot store the clock offset");
            return;
        }
        clock_advance_ms(advance);
    } else if (strcmp(req->method, "GET") != 0) {
        admin_message(req, 405, "use GET or POST");
        return;
    }
    admin_reply(req, 200, json_pack("{s:I, s:I}", "now_ms", (json_int_t)clock_now_ms(),
                                    "offset_ms", (json_int_t)clock_offset_ms()));
}

static void
admin_reset(struct awslet_req *req)
{
    if (strcmp(req->method, "POST") != 0) {
        admin_message(req, 405, "use POST");
        return;
    }
    if (store_wipe() != 0) {
        admin_message(req, 500, "cannot wipe the store");
        return;
    }
    clock_set_offset_ms(0);
    for (size_t i = 0; i < awslet_n_services; i++)
        if (awslet_services[i]->reset)
            awslet_services[i]->reset();
    log_info("state reset");
    admin_reply(req, 200, json_pack("{s:s}", "status", "reset"));
}

void
admin_handle(struct awslet_req *req)
{
    const char *p = req->path;

    if (strcmp(p, "/_awslet/health") == 0)
        admin_health(req);
    else if (strcmp(p, "/_awslet/info") == 0)
        admin_info(req);
    else if (strcmp(p, "/_awslet/reset") == 0)
        admin_reset(req);
    else if (strcmp(p, "/_awslet/clock") == 0)
        admin_clock(req);
    else
        admin_message(req, 404, "no such awslet endpoint");
}

int
admin_restore_clock(void)
{
    sqlite3 *db = store_conn();
    sqlite3_stmt *st;
    int rc = 0;

    if (!db)
        return -1;
    st = store_stmt(db, "SELECT value FROM meta WHERE key = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, clock_key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        clock_set_offset_ms(strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10));
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}
