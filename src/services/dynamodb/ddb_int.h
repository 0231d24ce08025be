/* ddb_int.h: what the DynamoDB files share: the error catalogue, the table record, and the
 * functions each topic file offers the others.
 *
 * Files: dynamodb.c (descriptor, op table, init), ddb_num.c (exact decimals), ddb_value.c
 * (attribute values, sizes, key bytes), ddb_args.c (request-parameter validation and
 * DynamoDB's "N validation errors detected" messages), ddb_expr_*.c and ddb_reserved.c (the
 * expression language, ddb_expr.h), ddb_table_cache.c (table records, lookup, status
 * delays), ddb_table.c (Create/Describe/List/DeleteTable), ddb_table_def.c (a definition's
 * checks), ddb_table_update.c (UpdateTable), ddb_meta.c (tags, TTL settings, DescribeLimits,
 * DescribeEndpoints), ddb_ttl.c (the TTL sweeper), ddb_stream.c (stream records written with
 * each change; streams enabled/disabled), ddb_store.c (the item write path: base row, index
 * rows, stream record), ddb_item.c (Put/Get/Update/DeleteItem), ddb_query.c (Query, Scan),
 * ddb_batch.c (BatchGetItem, BatchWriteItem), ddb_transact.c (TransactWriteItems,
 * TransactGetItems), ddb_pq_*.c (PartiQL, ddb_pq.h: lexer, parser, planner, the three
 * statement operations), ddb_backup.c and ddb_restore.c
 * (on-demand backups, ddb_backup.h). The DynamoDB Streams
 * API lives in services/dynamodbstreams/.
 *
 * Times are milliseconds on the awslet clock (clock_now_ms()); DynamoDB reports epoch
 * seconds with a fraction (CreationDateTime) in JSON numbers. */
#ifndef AWSLET_DDB_INT_H
#define AWSLET_DDB_INT_H

#include <stdbool.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/req.h"
#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_value.h"
#include "services/service.h"

/* Codes are the model's shape names (sent as com.amazonaws.dynamodb.v20120810#Code). */
#define DDB_ERRORS(X)                                                                          \
    X(ERR_DDB_RESOURCE_NOT_FOUND, "ResourceNotFoundException", NULL, 400, SENDER)             \
    X(ERR_DDB_RESOURCE_IN_USE, "ResourceInUseException", NULL, 400, SENDER)                   \
    X(ERR_DDB_CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailedException", NULL, 400, SENDER) \
    X(ERR_DDB_TRANSACTION_CANCELED, "TransactionCanceledException", NULL, 400, SENDER)        \
    X(ERR_DDB_TRANSACTION_CONFLICT, "TransactionConflictException", NULL, 400, SENDER)        \
    X(ERR_DDB_TRANSACTION_IN_PROGRESS, "TransactionInProgressException", NULL, 400, SENDER)   \
    X(ERR_DDB_IDEMPOTENT_MISMATCH, "IdempotentParameterMismatchException", NULL, 400, SENDER) \
    X(ERR_DDB_LIMIT_EXCEEDED, "LimitExceededException", NULL, 400, SENDER)                    \
    X(ERR_DDB_ITEM_COLLECTION_SIZE, "ItemCollectionSizeLimitExceededException", NULL, 400,    \
      SENDER)                                                                                  \
    X(ERR_DDB_INTERNAL, "InternalServerError", NULL, 500, RECEIVER)                           \
    X(ERR_DDB_EXPIRED_ITERATOR, "ExpiredIteratorException", NULL, 400, SENDER)                \
    X(ERR_DDB_TRIMMED_DATA, "TrimmedDataAccessException", NULL, 400, SENDER)                  \
    X(ERR_DDB_DUPLICATE_ITEM, "DuplicateItemException", NULL, 400, SENDER)                    \
    X(ERR_DDB_BACKUP_NOT_FOUND, "BackupNotFoundException", NULL, 400, SENDER)                 \
    X(ERR_DDB_BACKUP_IN_USE, "BackupInUseException", NULL, 400, SENDER)                       \
    X(ERR_DDB_TABLE_ALREADY_EXISTS, "TableAlreadyExistsException", NULL, 400, SENDER)         \
    X(ERR_DDB_TABLE_IN_USE, "TableInUseException", NULL, 400, SENDER)                         \
    X(ERR_DDB_TABLE_NOT_FOUND, "TableNotFoundException", NULL, 400, SENDER)                   \
    X(ERR_DDB_CONTINUOUS_BACKUPS_UNAVAILABLE, "ContinuousBackupsUnavailableException", NULL,  \
      400, SENDER)

DDB_ERRORS(AWSLET_ERROR_DECLARE)

/* ---- tables (ddb_table.c) ------------------------------------------------------------------ */

struct ddb_key_schema {
    const char *hash;       /* partition key attribute name */
    const char *hash_type;  /* "S", "N" or "B" */
    const char *range;      /* sort key attribute name, or NULL */
    const char *range_type; /* or NULL */
};

enum ddb_projection_type { DDB_PROJ_ALL, DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE };

struct ddb_index {
    const char *name;
    bool global;                 /* GSI (true) or LSI */
    struct ddb_key_schema key;
    enum ddb_projection_type proj;
    const char **include;        /* NonKeyAttributes for INCLUDE */
    unsigned n_include;
    const char *status;          /* GSI: CREATING (backfilling), ACTIVE, DELETING */
};

/* One table as a request sees it. Strings belong to the request's arena (or the table
 * cache, which keeps them alive for as long as the request may hold the record). */
struct ddb_table {
    long long id;                /* ddb_tables.id */
    long long version;           /* bumped by every change of the definition */
    const char *account, *region, *name, *arn;
    const char *status;          /* CREATING, ACTIVE, UPDATING, DELETING as of now */
    long long created_ms;
    struct ddb_key_schema key;
    struct ddb_index *indexes;   /* GSIs then LSIs */
    unsigned n_indexes;
    long long stream_id;         /* 0 when no stream is enabled */
    const char *stream_view_type;/* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or NULL */
    const char *ttl_attr;        /* the TTL attribute when TTL is ENABLED, else NULL */
    bool deletion_protection;
    const json_t *desc;          /* the stored TableDescription (borrowed, read-only) */
};

/* Look a table up by name or ARN for this request's account and region. Fails the request
 * with ResourceNotFoundException ("Requested resource not found: Table: <name> not found")
 * and returns -1 when there is none (or it has finished DELETING). db is req->db or the
 * writer inside a write. Must be cheap: PutItem and GetItem call it on every request. */
int ddb_table_get(struct awslet_req *req, sqlite3 *db, const char *name_or_arn,
                  struct ddb_table **out);
/* Like ddb_table_get() for a table id (the TTL sweeper, streams); NULL if gone. The record
 * lives in arena and has no description (desc is NULL): nothing here outlives the arena. */
struct ddb_table *ddb_table_by_id(struct arena *arena, sqlite3 *db, long long id);
/* Forget every cached table definition (POST /_awslet/reset). */
void ddb_table_cache_clear(void);
/* The index called name, or NULL. */
const struct ddb_index *ddb_table_index(const struct ddb_table *t, const char *name);

/* ---- the item write path (ddb_store.c) --------------------------------------------------- */

/* The stored item with the key of `key` (an item or a key object), as a new reference, or
 * NULL when absent (*err set to -1 on a database error, else 0). */
json_t *ddb_item_load(sqlite3 *db, const struct ddb_table *t, const json_t *key, int *err);
/* Make the table hold new_item (NULL: delete) where old_item is (NULL: no item yet), in the
 * caller's write transaction: the base row, every index's row (added, moved or removed,
 * projected), and the stream record when the table has a stream. A write that changes
 * nothing writes nothing and records nothing. user_identity (or NULL) goes into the stream
 * record (TTL deletions). 0 or -1. */
int ddb_item_store(sqlite3 *db, const struct ddb_table *t, const json_t *old_item,
                   const json_t *new_item, const json_t *user_identity);
/* Encode the table's (or an index's) key of item into pk and sk (sk empty without a range
 * key). -1 when the item lacks a key attribute or it has the wrong type. */
int ddb_key_encode(const struct ddb_key_schema *ks, const json_t *item, struct buf *pk,
                   struct buf *sk);
/* Project item onto an index: its keys, the table's keys and the projection. NULL when the
 * item lacks one of the index's key attributes (sparse index) or the wrong type. */
json_t *ddb_index_project(const struct ddb_table *t, const struct ddb_index *ix,
                          const json_t *item);

/* ---- one item write, shared by the item operations, batches and transactions (ddb_item.c) -- */

enum ddb_write_kind { DDB_W_PUT, DDB_W_UPDATE, DDB_W_DELETE, DDB_W_CHECK };

/* A PutItem / UpdateItem / DeleteItem (or a TransactWriteItems Put, Update, Delete or
 * ConditionCheck, or a BatchWriteItem PutRequest / DeleteRequest) parsed and validated. */
struct ddb_write {
    enum ddb_write_kind kind;
    struct ddb_table *table;
    json_t *key;                   /* the key attributes only (new reference) */
    json_t *item;                  /* PUT: the new item (new reference) */
    struct ddb_update *update;     /* UPDATE: UpdateExpression or AttributeUpdates, or NULL */
    struct ddb_node *condition;    /* ConditionExpression or Expected, or NULL */
    struct ddb_expr_ctx ctx;       /* names and values of this write's expressions */
    const char *return_values;     /* NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW */
    const char *return_on_ccf;     /* ReturnValuesOnConditionCheckFailure: NONE or ALL_OLD */
};

/* Parse one write from in (the operation's or the action's input object: TableName, Key or
 * Item, expressions, ...), looking the table up on db. Fails the request (DynamoDB's
 * ValidationException or ResourceNotFoundException) and returns -1 on bad input. */
int ddb_write_parse(struct awslet_req *req, sqlite3 *db, enum ddb_write_kind kind,
                    const json_t *in, struct ddb_write *w);
/* Load the current item into *old (NULL if none) and evaluate the condition: 1 when the
 * write may go ahead, 0 when the condition failed, -1 on an error (request failed). */
int ddb_write_check(struct awslet_req *req, sqlite3 *db, struct ddb_write *w, json_t **old);
/* Compute the new item from old (update expression, item size and key checks) and store it
 * with ddb_item_store(). *new_item is the result (NULL for a delete or a check). -1 with
 * the request failed. */
int ddb_write_apply(struct awslet_req *req, sqlite3 *db, struct ddb_write *w,
                    const json_t *old, json_t **new_item);
void ddb_write_release(struct ddb_write *w);

/* Request checks the item operations, Query and Scan share (ddb_item.c). */
/* Validate and normalize every ExpressionAttributeValues entry ("ExpressionAttributeValues
 * contains invalid value: <why> for key :v"). 0, or -1 with the request failed. */
int ddb_values_check(struct awslet_req *req, const json_t *values);
/* DynamoDB refuses a request mixing legacy and expression parameters ("Can not use both
 * expression and non-expression parameters in the same request: Non-expression parameters:
 * {AttributesToGet} Expression parameters: {ProjectionExpression}"); both lists are
 * NULL-terminated member names in the order DynamoDB reports them. 0 or -1 (failed). */
int ddb_mixing_check(struct awslet_req *req, const json_t *in, const char *const *legacy,
                     const char *const *expressions);
/* Fail the request as DynamoDB answers for a table that cannot take data-plane requests
 * (CREATING or DELETING: ResourceNotFoundException) and return -1; 0 when it can. */
int ddb_table_usable(struct awslet_req *req, const struct ddb_table *t);
/* ddb_table_get() and ddb_table_usable() as the data plane (items, Query, Scan) answers: a
 * missing table is "Requested resource not found", without its name. 0 or -1 (failed). */
int ddb_table_for_data(struct awslet_req *req, sqlite3 *db, const char *name,
                       struct ddb_table **out);

/* ---- streams (ddb_stream.c) ----------------------------------------------------------------- */

/* Append the record describing one change (old NULL: INSERT; new NULL: REMOVE; else MODIFY)
 * to the table's current stream, shaped by its StreamViewType. Called by ddb_item_store()
 * inside the same transaction. 0 or -1. */
int ddb_stream_append(sqlite3 *db, const struct ddb_table *t, const json_t *old_item,
                      const json_t *new_item, const json_t *user_identity);
/* Create a stream for table id (StreamSpecification enabled): a new ARN labelled with the
 * current time; returns the new ddb_streams.id and its ARN and label (arena), or -1. */
long long ddb_stream_enable(struct arena *arena, sqlite3 *db, long long table_id,
                            const char *account, const char *region, const char *table_name,
                            const char *view_type, const json_t *key_schema, const char **arn,
                            const char **label);
/* Disable the stream (it stays readable for 24 hours, then its records go). 0 or -1. */
int ddb_stream_disable(sqlite3 *db, long long stream_id);
/* Drop records older than 24 hours and streams disabled for longer (timer). */
int ddb_stream_trim(sqlite3 *db);
/* Register the trim timer (the DynamoDB Streams service init calls it). 0 or -1. */
int ddb_stream_init(void);

/* ---- TTL (ddb_ttl.c) ------------------------------------------------------------------------- */

/* The epoch seconds of an item's TTL attribute (N) or -1 when it has none usable. */
long long ddb_ttl_expiry(const json_t *item, const char *ttl_attr);
int ddb_ttl_init(void);
void ddb_ttl_shutdown(void);

/* ---- request arguments (ddb_args.c) ---------------------------------------------------------- */

/* DynamoDB reports all constraint violations of a request's top-level parameters at once:
 * "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint:
 * Member must have length greater than or equal to 3" ("N validation errors detected: a; b").
 * A validator collects them, then fails the request with the whole text. */
struct ddb_args {
    struct awslet_req *req;
    unsigned n;
    struct buf msg;
};

void ddb_args_init(struct ddb_args *a, struct awslet_req *req);
/* in[member] as a string ('at' is the camelCase name in messages), checked for length and,
 * if pattern_tablename, [a-zA-Z0-9_.-]+. Returns the string or NULL (absent or wrong). */
const char *ddb_args_table_name(struct ddb_args *a, const json_t *in, const char *member,
                                const char *at, bool required);
/* A string member that must be one of the NULL-terminated choices ("Member must satisfy
 * enum value set: [A, B]"). */
const char *ddb_args_enum(struct ddb_args *a, const json_t *in, const char *member,
                          const char *at, const char *const *choices);
/* An integer member with bounds ("Member must have value greater than or equal to 1");
 * *out untouched when absent. 1 if present and valid, 0 absent, -1 invalid. */
int ddb_args_int(struct ddb_args *a, const json_t *in, const char *member, const char *at,
                 long long min, long long max, long long *out);
/* Record a constraint failure in DynamoDB's words, for checks the helpers do not cover. */
void ddb_args_add(struct ddb_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 if nothing failed; else fails req with ValidationException and returns -1. */
int ddb_args_done(struct ddb_args *a);

/* Fail the request with ValidationException and the given text. Returns AWSLET_ERR. */
enum awslet_rc ddb_validation(struct awslet_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- consumed capacity (ddb_capacity.c) ----------------------------------------------------- */

/* Capacity units as DynamoDB charges them: reads 4 KB (eventually consistent half), writes
 * 1 KB, transactions double. */
double ddb_read_units(size_t bytes, bool consistent);
double ddb_write_units(size_t bytes);
/* The ConsumedCapacity object for ReturnConsumedCapacity TOTAL / INDEXES (NULL for NONE or
 * absent): {"TableName", "CapacityUnits", and for INDEXES "Table" and
 * "GlobalSecondaryIndexes"/"LocalSecondaryIndexes" breakdowns}. */
json_t *ddb_capacity(const char *mode, const char *table, double table_units, bool read,
                     const json_t *index_units /* {name: units} or NULL */);
/* ddb_capacity() reports every index of index_units under GlobalSecondaryIndexes; this one
 * takes the global and the local indexes apart ({name: units} or NULL each). */
json_t *ddb_capacity_split(const char *mode, const char *table, double table_units, bool read,
                           const json_t *gsi_units, const json_t *lsi_units);

/* ---- batches and transactions (ddb_transact.c, ddb_batch.c) --------------------------------- */

/* Which item a batch or transaction names: the table id and the encoded key, so that equal
 * bytes are the same item (numbers compare by value, binaries decoded). */
struct ddb_item_ref {
    const unsigned char *bytes; /* in the arena */
    size_t len;
};
/* The ref of key (an item or a key object) in t. 0, or -1 (no memory, or not a key of t). */
int ddb_item_ref(struct arena *a, const struct ddb_table *t, const json_t *key,
                 struct ddb_item_ref *ref);
/* The index of the first ref that repeats an earlier one, or -1 when all differ. */
int ddb_item_refs_duplicate(const struct ddb_item_ref *refs, unsigned n);
/* Capacity added up per table over a request: acc is {table: {"read": u, "write": u,
 * "gsi": {name: u}, "lsi": {name: u}}}; ix (or NULL) is the index index_units go to. 0 or -1. */
int ddb_capacity_acc(json_t *acc, const char *table, double read, double write,
                     const struct ddb_index *ix, double index_units);
/* Charge one item write in t to acc: the larger of old and new (NULL: none) in write units,
 * at least one, and each index whose entry the write adds, changes or removes; factor is 2
 * for transactions, else 1. 0 or -1. */
int ddb_capacity_charge_write(json_t *acc, const struct ddb_table *t, const json_t *old,
                              const json_t *new_item, double factor);
/* The ConsumedCapacity list of acc for mode, in the order tables were first charged; NULL
 * for NONE or absent. split (transactions) adds ReadCapacityUnits / WriteCapacityUnits. */
json_t *ddb_capacity_list(const json_t *acc, const char *mode, bool split);
/* The ItemCollectionMetrics entry ({ItemCollectionKey, SizeEstimateRangeGB}) of the item
 * collection that key belongs to, or NULL when t has no local secondary index (only those
 * tables have item collections to report). */
json_t *ddb_item_collection_metrics(sqlite3 *db, const struct ddb_table *t, const json_t *key);
/* After a failed ddb_write_parse() in a batch or transaction: a missing table is reported as
 * the data plane reports it, "Requested resource not found" without the name. Returns -1. */
int ddb_batch_not_found(struct awslet_req *req);
/* One CancellationReason ({"Code"}, plus Message and the ALL_OLD Item when given), and the
 * TransactionCanceledException message listing every reason's code in order ("Transaction
 * cancelled, please refer cancellation reasons for specific reasons [None, ...]", in the
 * arena). ExecuteTransaction re-labels its INSERTs' reasons with them. (ddb_transact.c) */
json_t *ddb_transact_reason(const char *code, const char *message, const json_t *item);
char *ddb_transact_cancel_message(struct arena *a, const json_t *reasons);
/* Java's rendering of a list of structures of the model's shape in DynamoDB's constraint
 * messages ("[com.amazonaws.dynamodb.v20120810.TransactGetItem@1a2b]"), in the arena. */
const char *ddb_transact_java_list(struct arena *a, const json_t *list, const char *shape);

/* ---- what PartiQL borrows from the item operations and the reader ------------------------ */

/* GetItem (in: GetItem's input) answering as PartiQL needs it: items_shape gives
 * ExecuteStatement's {"Items":[item]} ({"Items":[]} without one; ConsumedCapacity as
 * GetItem's), spliced through req->json_body like GetItem's own answer; otherwise GetItem's
 * own shape {"Item"?, "ConsumedCapacity"?} in *out, never through json_body (batches and
 * transactions assemble several answers). (ddb_item.c) */
enum awslet_rc ddb_get_item_partiql(struct awslet_req *req, const json_t *in, bool items_shape,
                                    json_t **out);
/* The same for `SELECT * ... WHERE <whole key>` once planned: the table record and the key
 * (its attributes' types already checked) need no second lookup or request validation.
 * mode is ReturnConsumedCapacity or NULL. */
enum awslet_rc ddb_get_item_statement(struct awslet_req *req, const struct ddb_table *t,
                                      const json_t *key, const char *mode, bool consistent,
                                      json_t **out);
/* A Query (query) or Scan with in as its input, for a PartiQL SELECT: the FilterExpression
 * may name key attributes (it is the statement's whole WHERE clause), and the answer is in
 * *out, never spliced through json_body: {Items, Count, ScannedCount, LastEvaluatedKey?,
 * ConsumedCapacity?}. (ddb_query.c) */
enum awslet_rc ddb_read_partiql(struct awslet_req *req, const json_t *in, bool query,
                                json_t **out);

/* ---- operations ------------------------------------------------------------------------------ */

awslet_op_fn ddb_create_table, ddb_describe_table, ddb_list_tables, ddb_update_table,
    ddb_delete_table, ddb_describe_time_to_live, ddb_update_time_to_live, ddb_tag_resource,
    ddb_untag_resource, ddb_list_tags_of_resource, ddb_describe_limits, ddb_describe_endpoints,
    ddb_put_item, ddb_get_item, ddb_update_item, ddb_delete_item, ddb_query, ddb_scan,
    ddb_batch_get_item, ddb_batch_write_item, ddb_transact_write_items, ddb_transact_get_items,
    ddb_execute_statement, ddb_batch_execute_statement, ddb_execute_transaction,
    ddb_create_backup, ddb_describe_backup, ddb_list_backups, ddb_delete_backup,
    ddb_restore_table_from_backup, ddb_describe_continuous_backups;
/* Whether a PartiQL request writes (awslet_op.writes): any statement but a SELECT. */
awslet_op_writes_fn ddb_execute_statement_writes, ddb_batch_execute_statement_writes,
    ddb_execute_transaction_writes;

#endif
