/* ddb_pq_batch.c: BatchExecuteStatement and ExecuteTransaction (ddb_pq_exec.h).
 *
 * A batch is all reads or all writes, up to 25 statements, each succeeding or failing on its
 * own: a read must name one item (a GetItem plan), a write runs as its item operation under a
 * savepoint of its own, and a failure becomes that statement's Error response with the
 * model's BatchStatementErrorCodeEnum code. A transaction is up to 100 statements, all
 * full-key SELECTs (one TransactGetItems) or all INSERT / UPDATE / DELETE / EXISTS (one
 * TransactWriteItems, which keeps the ClientRequestToken idempotency); its cancellation
 * reasons come back in statement order, an INSERT's failed condition as DuplicateItem.
 * Entry points: ddb_batch_execute_statement(), ddb_execute_transaction() and their write
 * classifiers for the dispatcher. */
#include "services/dynamodb/ddb_pq_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/store.h"

#define BATCH_MAX    25  /* PartiQLBatchRequest: 1..25 */
#define TX_MAX       100 /* ParameterizedStatements: 1..100 */
#define TX_TOKEN_MAX 36

#define DUPLICATE_ITEM "Duplicate primary key exists in table"

static const char *const pq_rcc[] = {"INDEXES", "TOTAL", "NONE", NULL};

/* A request's statement list: present, a list, of 1..max entries. Its size, 0 on failure. */
static size_t
pq_list_arg(struct ddb_args *a, const json_t *in, const char *member, const char *at,
            const char *shape, size_t max)
{
    const json_t *list = json_object_get(in, member);
    size_t n;

    if (!list || json_is_null(list)) {
        ddb_args_add(a, "Value null at '%s' failed to satisfy constraint: Member must not be null",
                     at);
        return 0;
    }
    if (!json_is_array(list)) {
        ddb_args_add(a, "Value at '%s' failed to satisfy constraint: Member must be a list", at);
        return 0;
    }
    n = json_array_size(list);
    if (n < 1 || n > max) {
        ddb_args_add(
            a, "Value '%s' at '%s' failed to satisfy constraint: Member must have length %s %zu",
            ddb_transact_java_list(&a->req->arena, list, shape), at,
            n < 1 ? "greater than or equal to" : "less than or equal to", n < 1 ? 1 : max);
        return 0;
    }
    return n;
}

/* Whether any statement of a list is not a SELECT (the dispatcher's write test). */
static bool
pq_list_writes(const json_t *list)
{
    size_t i;
    json_t *st;

    json_array_foreach(list, i, st)
    {
        const char *text = json_string_value(json_object_get(st, "Statement"));
        if (text && !ddb_pq_is_select(text))
            return true;
    }
    return false;
}

bool
ddb_batch_execute_statement_writes(const json_t *in)
{
    return pq_list_writes(json_object_get(in, "Statements"));
}

bool
ddb_execute_transaction_writes(const json_t *in)
{
    return pq_list_writes(json_object_get(in, "TransactStatements"));
}

/* Whether a plan reads exactly one item by its whole key and nothing else: what batches and
 * transactions allow a SELECT to be. */
static bool
pq_single_item(const struct pq_prepared *p)
{
    return p->plan.op == PQ_P_GET && !json_object_get(p->plan.request, "FilterExpression");
}

/* ---- BatchExecuteStatement ------------------------------------------------------------------- */

struct batch_stmt {
    struct pq_prepared p;
    bool runs;         /* prepared and allowed: it runs */
    bool read;         /* parsed as a SELECT */
    const char *table; /* the response's TableName once it ran, or NULL */
    json_t *item;      /* the response's Item (owned), or NULL */
    struct pq_err err; /* its failure (err.err NULL: none) */
};

/* Refuse a batch naming one item twice, reads included, with BatchWriteItem's words (what
 * DynamoDB Local, AWS's own emulator, answers). 0, or -1 (request failed). */
static int
batch_duplicates(struct awslet_req *req, struct batch_stmt *bs, size_t n)
{
    struct ddb_item_ref *refs = arena_calloc(&req->arena, (n ? n : 1) * sizeof(*refs));
    struct ddb_table *t;
    unsigned m = 0;
    const json_t *key;
    struct pq_err ignored;

    if (!refs)
        return awslet_fail_nomem(req), -1;
    for (size_t i = 0; i < n; i++) {
        if (!bs[i].runs)
            continue;
        key = json_object_get(bs[i].p.plan.request, "Key");
        if (!key)
            key = json_object_get(bs[i].p.plan.request, "Item");
        if (ddb_table_get(req, req->db, bs[i].p.plan.table, &t) != 0) {
            /* Planned a moment ago; gone now, the statement itself will say so. */
            ddb_pq_exec_err_take(req, &ignored);
            ddb_pq_exec_err_release(&ignored);
            continue;
        }
        if (key && ddb_item_ref(&req->arena, t, key, &refs[m]) == 0)
            m++;
    }
    if (ddb_item_refs_duplicate(refs, m) >= 0)
        return ddb_validation(req, "Provided list of item keys contains duplicates"), -1;
    return 0;
}

/* Run one prepared statement of the batch, its answer or its error kept in b. */
static void
batch_run(struct awslet_req *req, const json_t *st, const char *mode, struct batch_stmt *b,
          json_t *capacity)
{
    json_t *r = b->p.plan.request, *o = NULL;
    const char *rvccf =
        json_string_value(json_object_get(st, "ReturnValuesOnConditionCheckFailure"));
    enum awslet_rc rc = AWSLET_ERR;
    bool sp = false;

    b->table = b->p.plan.table;
    if ((mode && json_object_set_new(r, "ReturnConsumedCapacity", json_string(mode)) != 0) ||
        (b->read && json_is_true(json_object_get(st, "ConsistentRead")) &&
         json_object_set_new(r, "ConsistentRead", json_true()) != 0) ||
        (!b->read && rvccf &&
         json_object_set_new(r, "ReturnValuesOnConditionCheckFailure", json_string(rvccf)) != 0)) {
        awslet_fail_nomem(req);
    } else if (b->read) {
        rc = ddb_get_item_partiql(req, r, false, &o);
    } else if (!(sp = store_exec(req->db, "SAVEPOINT pq_batch") == 0)) {
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
    } else if (b->p.plan.op == PQ_P_PUT) {
        rc = ddb_put_item(req, r, &o);
    } else if (b->p.plan.op == PQ_P_UPDATE) {
        rc = ddb_update_item(req, r, &o);
    } else {
        rc = ddb_delete_item(req, r, &o);
    }
    if (sp) {
        /* A failed statement leaves nothing behind; the others' changes stay. */
        if (rc != AWSLET_OK)
            store_exec(req->db, "ROLLBACK TO pq_batch");
        store_exec(req->db, "RELEASE pq_batch");
    }
    if (rc == AWSLET_OK) {
        json_t *item = json_object_get(o, b->read ? "Item" : "Attributes");
        b->item = !item ? NULL
                  : b->read ? ddb_pq_select_project(&b->p.st, item)
                            : json_incref(item);
        if (ddb_pq_exec_capacity_list_add(capacity, json_object_get(o, "ConsumedCapacity")) != 0)
            log_error("dynamodb: cannot add up a batch's capacity: out of memory");
    } else {
        if (b->p.plan.op == PQ_P_PUT && req->err == &ERR_DDB_CONDITIONAL_CHECK_FAILED) {
            json_decref(req->err_extra);
            req->err_extra = NULL;
            awslet_fail(req, &ERR_DDB_DUPLICATE_ITEM, DUPLICATE_ITEM);
        }
        ddb_pq_exec_inner_error(req);
        ddb_pq_exec_err_take(req, &b->err);
    }
    json_decref(o);
}

/* One BatchStatementResponse: {"TableName", "Item"?} or {"Error": {"Code", "Message",
 * "Item"?}, "TableName"?}. */
static json_t *
batch_response(const struct batch_stmt *b)
{
    json_t *r = json_object(), *e;
    const json_t *item;

    if (!r)
        return NULL;
    if (b->err.err) {
        e = json_pack("{s:s, s:s}", "Code", ddb_pq_exec_error_code(b->err.err->code), "Message",
                      b->err.msg ? b->err.msg : "");
        item = json_object_get(b->err.extra, "Item");
        if (!e || (item && json_object_set(e, "Item", (json_t *)item) != 0) ||
            json_object_set_new(r, "Error", e) != 0) {
            json_decref(r);
            return NULL;
        }
    }
    if ((b->table && json_object_set_new(r, "TableName", json_string(b->table)) != 0) ||
        (b->item && json_object_set(r, "Item", b->item) != 0)) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* BatchExecuteStatement: up to 25 reads or writes, each answered on its own.
 * in: Statements [{Statement, Parameters?, ConsistentRead?, ReturnValuesOnConditionCheckFailure?}],
 * ReturnConsumedCapacity?   out: Responses, ConsumedCapacity? */
enum awslet_rc
ddb_batch_execute_statement(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *list = json_object_get(in, "Statements");
    struct ddb_args a;
    struct batch_stmt *bs;
    const char *mode;
    json_t *capacity = NULL, *responses = NULL;
    size_t n, i;
    int reads = -1; /* 1: a batch of reads, 0: of writes, -1: not known yet */
    enum awslet_rc rc = AWSLET_ERR;

    ddb_args_init(&a, req);
    n = pq_list_arg(&a, in, "Statements", "statements", "BatchStatementRequest", BATCH_MAX);
    for (i = 0; i < n; i++)
        ddb_pq_exec_check_statement(&a, json_array_get(list, i),
                                    arena_printf(&req->arena, "statements.%zu.member.", i + 1));
    mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", pq_rcc);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (!(bs = arena_calloc(&req->arena, n * sizeof(*bs))))
        return awslet_fail_nomem(req);

    /* A statement that cannot be parsed or planned fails alone; one that parses decides
     * whether the batch reads or writes, and the batch may not be both. */
    for (i = 0; i < n; i++) {
        const json_t *st = json_array_get(list, i);

        if (ddb_pq_exec_prepare(req, json_string_value(json_object_get(st, "Statement")),
                                json_object_get(st, "Parameters"), false, &bs[i].p) == 0)
            bs[i].runs = true;
        else
            ddb_pq_exec_err_take(req, &bs[i].err);
        if (!bs[i].p.parsed)
            continue;
        bs[i].read = bs[i].p.st.kind == PQ_SELECT;
        if (reads < 0) {
            reads = bs[i].read;
        } else if (reads != bs[i].read) {
            ddb_validation(req, "Read and write requests together in the same batch is not "
                                "supported.");
            goto out;
        }
        if (bs[i].runs && bs[i].read && !pq_single_item(&bs[i].p)) {
            bs[i].runs = false;
            bs[i].err.err = &ERR_VALIDATION;
            bs[i].err.msg = "Select statements within BatchExecuteStatement must specify the "
                            "primary key in the where clause.";
        }
    }
    if (reads == 0 && !ddb_batch_execute_statement_writes(in)) {
        log_error("dynamodb: PartiQL batch of writes classified as reads");
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        goto out;
    }
    if (batch_duplicates(req, bs, n) != 0)
        goto out;

    if (!(capacity = json_array()) || !(responses = json_array())) {
        awslet_fail_nomem(req);
        goto out;
    }
    for (i = 0; i < n; i++)
        if (bs[i].runs)
            batch_run(req, json_array_get(list, i), mode, &bs[i], capacity);
    for (i = 0; i < n; i++)
        if (json_array_append_new(responses, batch_response(&bs[i])) != 0) {
            awslet_fail_nomem(req);
            goto out;
        }
    *out = json_pack("{s:O}", "Responses", responses);
    if (*out && mode && strcmp(mode, "NONE") != 0 && json_array_size(capacity) > 0)
        json_object_set(*out, "ConsumedCapacity", capacity);
    rc = *out ? AWSLET_OK : awslet_fail_nomem(req);
out:
    for (i = 0; i < n; i++) {
        ddb_pq_exec_prepared_release(&bs[i].p);
        ddb_pq_exec_err_release(&bs[i].err);
        json_decref(bs[i].item);
    }
    json_decref(capacity);
    json_decref(responses);
    return rc;
}

/* ---- ExecuteTransaction ---------------------------------------------------------------------- */

/* A statement the planner (or the transaction's own rules) refused: DynamoDB names which
 * ("Validation failed in TransactStatements[2]: ..."). Other errors stand as they are. */
static int
tx_statement_failed(struct awslet_req *req, size_t i)
{
    if (req->err == &ERR_VALIDATION)
        ddb_validation(req, "Validation failed in TransactStatements[%zu]: %s", i,
                       req->err_msg ? req->err_msg : "");
    return -1;
}

/* Plan every statement and hold it to what a transaction allows. 0 or -1 (request failed). */
static int
tx_plan_all(struct awslet_req *req, struct pq_prepared *ps, size_t n, bool reads)
{
    const char *rv;

    for (size_t i = 0; i < n; i++) {
        if (ddb_pq_exec_plan(req, &ps[i]) != 0)
            return tx_statement_failed(req, i);
        if (reads && !pq_single_item(&ps[i])) {
            ddb_validation(req, "%s",
                           ps[i].st.index
                               ? "Reads on indices are not supported within transactions."
                               : "Select statements within ExecuteTransaction must specify the "
                                 "primary key in the where clause.");
            return tx_statement_failed(req, i);
        }
        rv = json_string_value(json_object_get(ps[i].plan.request, "ReturnValues"));
        if (!reads && rv && strcmp(rv, "NONE") != 0) {
            ddb_validation(req, "RETURNING clause is not supported in ExecuteTransaction.");
            return tx_statement_failed(req, i);
        }
    }
    return 0;
}

/* A new {"TransactItems": items} request with the optional members of in that apply. */
static json_t *
tx_request(json_t *items, const char *mode, const char *token)
{
    json_t *r = json_pack("{s:o}", "TransactItems", items);

    if (r && ((mode && json_object_set_new(r, "ReturnConsumedCapacity", json_string(mode)) != 0) ||
              (token && json_object_set_new(r, "ClientRequestToken", json_string(token)) != 0))) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* All reads: one TransactGetItems of the GetItem plans. */
static enum awslet_rc
tx_read(struct awslet_req *req, struct pq_prepared *ps, size_t n, const char *mode, json_t **out)
{
    static const char *const members[] = {"TableName", "Key", "ExpressionAttributeNames"};
    json_t *items = json_array(), *tin, *o = NULL, *get, *v;
    enum awslet_rc rc;
    size_t k;

    for (size_t i = 0; items && i < n; i++) {
        if (!(get = json_object()) || json_array_append_new(items, json_pack("{s:o}", "Get", get)))
            goto nomem;
        for (k = 0; k < sizeof(members) / sizeof(members[0]); k++)
            if ((v = json_object_get(ps[i].plan.request, members[k])) &&
                json_object_set(get, members[k], v) != 0)
                goto nomem;
    }
    if (!items || !(tin = tx_request(items, mode, NULL)))
        return awslet_fail_nomem(req);
    rc = ddb_transact_get_items(req, tin, &o);
    json_decref(tin);
    if (rc != AWSLET_OK) {
        json_decref(o);
        ddb_pq_exec_inner_error(req);
        return rc;
    }
    /* TransactGetItems' answer is ExecuteTransaction's: Responses [{Item?}], ConsumedCapacity,
     * with each item answering its SELECT list. */
    json_array_foreach(json_object_get(o, "Responses"), k, v)
    {
        json_t *item = json_object_get(v, "Item");
        if (item && k < n &&
            json_object_set_new(v, "Item", ddb_pq_select_project(&ps[k].st, item)) != 0) {
            json_decref(o);
            return awslet_fail_nomem(req);
        }
    }
    *out = o;
    return AWSLET_OK;
nomem:
    json_decref(items);
    return awslet_fail_nomem(req);
}

/* An INSERT's failed condition is a duplicate key: re-label those reasons of a cancelled
 * transaction, and the message listing them. */
static void
tx_relabel(struct awslet_req *req, const struct pq_prepared *ps, size_t n)
{
    json_t *reasons = json_object_get(req->err_extra, "CancellationReasons"), *r;
    const char *code;
    char *msg;
    bool changed = false;
    size_t i;

    json_array_foreach(reasons, i, r)
    {
        code = json_string_value(json_object_get(r, "Code"));
        if (i < n && ps[i].plan.op == PQ_P_PUT && code &&
            strcmp(code, "ConditionalCheckFailed") == 0) {
            json_object_set_new(r, "Code", json_string("DuplicateItem"));
            json_object_set_new(r, "Message", json_string(DUPLICATE_ITEM));
            changed = true;
        }
    }
    if (!changed || !(msg = ddb_transact_cancel_message(&req->arena, reasons)))
        return;
    json_object_set_new(req->err_extra, "Message", json_string(msg));
    req->err_msg = msg;
}

/* All writes: one TransactWriteItems of Put / Update / Delete / ConditionCheck actions. */
static enum awslet_rc
tx_write(struct awslet_req *req, const json_t *list, struct pq_prepared *ps, size_t n,
         const char *mode, const char *token, json_t **out)
{
    json_t *items = json_array(), *tin, *o = NULL, *body, *cc;
    const char *action, *rvccf;
    enum awslet_rc rc;

    for (size_t i = 0; items && i < n; i++) {
        switch (ps[i].plan.op) {
        case PQ_P_PUT:
            action = "Put";
            break;
        case PQ_P_UPDATE:
            action = "Update";
            break;
        case PQ_P_DELETE:
            action = "Delete";
            break;
        default:
            action = "ConditionCheck";
            break;
        }
        rvccf = json_string_value(
            json_object_get(json_array_get(list, i), "ReturnValuesOnConditionCheckFailure"));
        /* The plan's request less what an action does not take. */
        if (!(body = json_copy(ps[i].plan.request)))
            goto nomem;
        json_object_del(body, "ReturnValues");
        if ((rvccf && json_object_set_new(body, "ReturnValuesOnConditionCheckFailure",
                                          json_string(rvccf)) != 0) ||
            json_array_append_new(items, json_pack("{s:o}", action, body)) != 0)
            goto nomem;
    }
    if (!items || !(tin = tx_request(items, mode, token)))
        return awslet_fail_nomem(req);
    rc = ddb_transact_write_items(req, tin, &o);
    json_decref(tin);
    if (rc != AWSLET_OK) {
        json_decref(o);
        if (req->err == &ERR_DDB_TRANSACTION_CANCELED)
            tx_relabel(req, ps, n);
        ddb_pq_exec_inner_error(req);
        return rc;
    }
    /* Writes answer nothing but the capacity ("This statement doesn't return any values for
     * Write operations", the developer guide's PartiQL transactions page). */
    cc = json_object_get(o, "ConsumedCapacity");
    *out = cc ? json_pack("{s:O}", "ConsumedCapacity", cc) : json_object();
    json_decref(o);
    return *out ? AWSLET_OK : awslet_fail_nomem(req);
nomem:
    json_decref(items);
    return awslet_fail_nomem(req);
}

/* ExecuteTransaction: up to 100 statements, all reads or all writes, all or nothing.
 * in: TransactStatements [{Statement, Parameters?, ReturnValuesOnConditionCheckFailure?}],
 * ClientRequestToken?, ReturnConsumedCapacity?   out: Responses?, ConsumedCapacity? */
enum awslet_rc
ddb_execute_transaction(struct awslet_req *req, const json_t *in, json_t **out)
{
    const json_t *list = json_object_get(in, "TransactStatements");
    struct ddb_args a;
    struct pq_prepared *ps;
    const char *mode, *token;
    size_t n, i;
    bool reads = false;
    enum awslet_rc rc = AWSLET_ERR;

    ddb_args_init(&a, req);
    n = pq_list_arg(&a, in, "TransactStatements", "transactStatements", "ParameterizedStatement",
                    TX_MAX);
    for (i = 0; i < n; i++)
        ddb_pq_exec_check_statement(
            &a, json_array_get(list, i),
            arena_printf(&req->arena, "transactStatements.%zu.member.", i + 1));
    token = ddb_pq_exec_string_arg(&a, in, "ClientRequestToken", "clientRequestToken", 1,
                                   TX_TOKEN_MAX, false);
    mode = ddb_args_enum(&a, in, "ReturnConsumedCapacity", "returnConsumedCapacity", pq_rcc);
    if (ddb_args_done(&a) != 0)
        return AWSLET_ERR;
    if (!(ps = arena_calloc(&req->arena, n * sizeof(*ps))))
        return awslet_fail_nomem(req);

    /* Every statement parses first (its error is the request's), one kind throughout: the
     * first decides, EXISTS counting as a write. */
    for (i = 0; i < n; i++) {
        const json_t *st = json_array_get(list, i);
        bool read;

        if (ddb_pq_exec_parse(req, json_string_value(json_object_get(st, "Statement")),
                              json_object_get(st, "Parameters"), true, &ps[i]) != 0)
            goto out;
        read = ps[i].st.kind == PQ_SELECT;
        if (i == 0) {
            reads = read;
        } else if (read != reads) {
            ddb_validation(req, "ExecuteTransaction API does not support both read and write "
                                "operations in the same request.");
            goto out;
        }
    }
    if (tx_plan_all(req, ps, n, reads) != 0)
        goto out;
    if (!reads && !ddb_execute_transaction_writes(in)) {
        log_error("dynamodb: PartiQL transaction of writes classified as reads");
        awslet_fail(req, &ERR_DDB_INTERNAL, "Internal server error");
        goto out;
    }
    rc = reads ? tx_read(req, ps, n, mode, out) : tx_write(req, list, ps, n, mode, token, out);
out:
    for (i = 0; i < n; i++)
        ddb_pq_exec_prepared_release(&ps[i]);
    return rc;
}
