/* ddb_table.h: what the control-plane files share (ddb_table.c, ddb_table_def.c,
 * ddb_table_update.c, ddb_meta.c, ddb_ttl.c) beyond the ddb_int.h interface.
 *
 * A table's definition is its stored TableDescription (ddb_tables.desc) without the live
 * members (TableStatus, ItemCount, TableSizeBytes, the indexes' counts); DescribeTable adds
 * those when it answers. Every change of a row bumps its version with a number this process
 * never hands out twice (even after a rollback), which is what the table cache checks. */
#ifndef AWSLET_DDB_TABLE_H
#define AWSLET_DDB_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "services/dynamodb/ddb_int.h"

/* Stored table and index states (the TableStatus / IndexStatus values). */
#define DDB_CREATING "CREATING"
#define DDB_UPDATING "UPDATING"
#define DDB_DELETING "DELETING"
#define DDB_ACTIVE   "ACTIVE"

#define DDB_MAX_LSI        5
#define DDB_MAX_GSI        20
#define DDB_MAX_THROUGHPUT 1000000000000LL    /* "Given value N for ... is out of bounds" */
#define DDB_TIMER_SETTLE   "ddb-table-settle" /* a CREATING/UPDATING/DELETING delay ends */

/* ---- ddb_table_def.c: a table definition from CreateTable ---------------------------------- */

/* The parameter constraints of CreateTable (lengths, enums, nulls, minimums) into a. */
void ddb_table_def_args(struct ddb_args *a, const json_t *in);
/* CreateTable's semantic rules in DynamoDB's order, after the parameter constraints passed:
 * billing mode and throughput, key schemas against AttributeDefinitions, LSI and GSI rules,
 * projections, stream specification. 0, or -1 with DynamoDB's message in err. */
int ddb_table_def_check(const json_t *in, char *err, size_t errlen);
/* The key schema and projection rules for one index (a GSI that UpdateTable creates)
 * against defs. 0, or -1 with DynamoDB's message in err. */
int ddb_table_def_check_index(const json_t *ix, const json_t *defs, char *err, size_t errlen);
/* The description of a new table (checked input) as CreateTable answers it: its indexes
 * CREATING, without the live members. */
json_t *ddb_table_def_build(const json_t *in, const char *name, const char *arn,
                            const char *table_id, long long now_ms);
/* A key schema (KeySchema array) typed from attribute definitions; strings borrowed from
 * the json. 0 or -1. */
int ddb_table_def_keys(const json_t *key_schema, const json_t *attr_defs,
                       struct ddb_key_schema *out);
/* The description of an index as stored (Projection normalized, IndexArn, throughput). */
json_t *ddb_table_def_index(const json_t *ix, const char *table_arn, bool global,
                            bool pay_per_request, const char *status);
/* CreationDateTime and the other Date members: epoch seconds with the milliseconds. */
json_t *ddb_time(long long ms);

/* ---- ddb_table.c ------------------------------------------------------------------------- */

/* A version number for a changed ddb_tables row; only call inside a write (the writer lock
 * serializes it). */
long long ddb_table_next_version(long long old);
/* The full TableDescription of t as of now (live counts from the store), or NULL. */
json_t *ddb_table_describe(sqlite3 *db, const struct ddb_table *t);
/* The TableDescription of table id from a stored description shown with status (an
 * operation's answer: CREATING, UPDATING, DELETING). */
json_t *ddb_table_describe_as(sqlite3 *db, long long id, const json_t *stored, const char *status);
/* A stored description as it is once its delay ended (in place): CREATING/UPDATING indexes
 * ACTIVE, DELETING ones gone. */
void ddb_table_desc_settle(json_t *d);
/* One index of a stored description as a record (strings in a). 0 or -1. */
int ddb_table_index_parse(struct arena *a, const json_t *ix, const json_t *defs, bool global,
                          struct ddb_index *out);
/* SSEDescription for an SSESpecification that enables encryption. */
json_t *ddb_table_sse_desc(struct awslet_req *req, const json_t *sse);
/* Write t's description back with a new version (status and until unchanged when NULL/-1).
 * 0 or -1. */
int ddb_table_save(sqlite3 *db, long long id, long long old_version, const json_t *desc,
                   const char *status, long long until_ms);
/* ddb_table_cache.c, for the table operations: the status a stored status shows at now (a
 * lapsed CREATING/UPDATING is ACTIVE, a lapsed DELETING is gone: NULL); the table name in a
 * name or ARN; the SELECT of a table's id, version and status by account, region and name
 * (one string, since the statement cache is keyed by its address). */
const char *ddb_table_status_now(const char *stored, long long until_ms, long long now);
const char *ddb_table_name_of(struct awslet_req *req, const char *name_or_arn);
extern const char ddb_table_by_name_sql[];

/* Fail req with ResourceInUseException when the table is not ACTIVE, in DynamoDB's words
 * ("Attempt to change a resource which is still in use: Table is being updated: t"). */
int ddb_table_require_active(struct awslet_req *req, const struct ddb_table *t);
/* A table by its ARN (TagResource, ListTagsOfResource): DynamoDB's ARN errors. */
int ddb_table_by_arn(struct awslet_req *req, sqlite3 *db, const char *arn, struct ddb_table **out);
/* Schedule the end of a CREATING/UPDATING/DELETING delay (inside the write). 0 or -1. */
int ddb_table_schedule_settle(sqlite3 *db, long long id, long long due_ms);
/* Remove a table's rows for good: items, index rows, tags, the table. 0 or -1. */
int ddb_table_purge(sqlite3 *db, long long id);
/* Enable a stream on table id for desc (StreamSpecification, LatestStreamLabel/Arn set in
 * desc; ddb_tables.stream_id updated). 0 or -1. */
int ddb_table_stream_on(struct awslet_req *req, sqlite3 *db, long long id, const char *name,
                        json_t *desc, const char *view_type);
/* Register the durable timer that ends status delays (from ddb_ttl_init, the service's
 * init). 0 or -1. */
int ddb_table_init_timers(void);

/* ---- ddb_meta.c: tags ------------------------------------------------------------------------ */

#define DDB_MAX_TAGS 50

/* The parameter constraints of a Tags list (key and value lengths, nulls). */
void ddb_tags_args(struct ddb_args *a, const json_t *in, const char *member, const char *at);
/* DynamoDB's rules for tags being added to a table that has `existing` other tags: key and
 * value characters, the aws: prefix, duplicates, the 50-tag limit. 0 or -1 (request failed). */
int ddb_tags_check(struct awslet_req *req, const json_t *tags, long long existing);

/* ---- ddb_ttl.c ----------------------------------------------------------------------------- */

/* TTL deletes ignore expiry times more than five years in the past ("Using time to live",
 * developer guide). */
#define DDB_TTL_MAX_AGE_S (5LL * 365 * 24 * 3600)
/* Set ddb_items.expires of every item of table id from attr (NULL: clear). 0 or -1. */
int ddb_ttl_fill(sqlite3 *db, long long id, const char *attr);
/* Start (or restart) the periodic TTL sweep of table id, inside the caller's write. 0 or -1. */
int ddb_ttl_arm(sqlite3 *db, long long id);
/* Stop it (TTL disabled). 0 or -1. */
int ddb_ttl_disarm(sqlite3 *db, long long id);

#endif
