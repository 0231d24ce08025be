/* ddb_expr_names.c: ExpressionAttributeNames and ExpressionAttributeValues: the checks of the
 * maps themselves, the lookup of each #name and :value an expression uses (recorded in the
 * context), and the report of those no expression used. Separate from the parser because it is
 * the per-request bookkeeping shared by every expression of a request, not grammar. */
#include <stdio.h>
#include <string.h>

#include "services/dynamodb/ddb_expr.h"
#include "services/dynamodb/ddb_expr_int.h"
#include "services/dynamodb/ddb_value.h"

/* ---- maps, names and values ----------------------------------------------------------------- */

static bool
valid_placeholder(const char *key, char sigil)
{
    if (key[0] != sigil || key[1] == '\0')
        return false;
    for (const char *c = key + 1; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return false;
    return true;
}

/* What DynamoDB checks of ExpressionAttributeNames / Values before any expression. */
int
ddb_expr_check_maps(struct ddb_expr_ctx *ctx)
{
    const char *key;
    json_t *v;

    if (ctx->names && json_object_size(ctx->names) == 0) {
        ddb_expr_ctx_fail(ctx, "ExpressionAttributeNames must not be empty");
        return -1;
    }
    if (ctx->names)
        json_object_foreach((json_t *)ctx->names, key, v)
            if (!valid_placeholder(key, '#')) {
            ddb_expr_ctx_fail(ctx,
                              "ExpressionAttributeNames contains invalid key: Syntax error; "
                              "key: \"%s\"",
                              key);
            return -1;
            }
    if (ctx->values && json_object_size(ctx->values) == 0) {
        ddb_expr_ctx_fail(ctx, "ExpressionAttributeValues must not be empty");
        return -1;
    }
    if (ctx->values)
        json_object_foreach((json_t *)ctx->values, key, v)
            if (!valid_placeholder(key, ':')) {
            ddb_expr_ctx_fail(ctx,
                              "ExpressionAttributeValues contains invalid key: Syntax error; "
                              "key: \"%s\"",
                              key);
            return -1;
            }
    return 0;
}

/* The #name or :value of token i, or NULL (reported) when the request does not define it. */
static const json_t *
lookup(struct parser *p, unsigned i)
{
    const struct ddb_tok *t = &p->t[i];
    const json_t *map = t->type == TK_HASH ? p->ctx->names : p->ctx->values;
    char *key = ddb_expr_tok_dup(p, i);
    const json_t *v;

    if (!key)
        return ddb_expr_oom(p);
    v = map ? json_object_get(map, key) : NULL;
    if (!v) {
        if (t->type == TK_HASH)
            return ddb_expr_fail(p, "An expression attribute name used in the document path is not "
                           "defined; attribute name: %s", key);
        return ddb_expr_fail(p, "An expression attribute value used in expression is not defined; "
                       "attribute value: %s", key);
    }
    if (p->ctx->used)
        json_object_set_new(p->ctx->used, key, json_true());
    return v;
}

bool
ddb_expr_resolve_path(struct parser *p, struct pnode *x)
{
    if (x->resolved)
        return true;
    if (x->n.path.n > MAX_PATH_DEPTH) {
        ddb_expr_fail(p, "The document path has too many nesting levels; nesting levels: %u",
             x->n.path.n);
        return false;
    }
    for (unsigned i = 0; i < x->n.path.n; i++) {
        const struct ddb_tok *t = &p->t[x->etok[i]];

        if (t->type == TK_NUM)
            continue;
        if (t->type == TK_HASH) {
            const json_t *name = lookup(p, x->etok[i]);

            if (!name)
                return false;
            x->n.path.e[i].name = arena_strdup(p->ctx->arena, json_string_value(name));
            /* A #name mapped to something other than a string names nothing usable. */
            if (!x->n.path.e[i].name)
                x->n.path.e[i].name = "";
        } else {
            x->n.path.e[i].name = ddb_expr_tok_dup(p, x->etok[i]);
            if (!x->n.path.e[i].name) {
                ddb_expr_oom(p);
                return false;
            }
        }
    }
    x->resolved = true;
    return true;
}

bool
ddb_expr_resolve_value(struct parser *p, struct pnode *x)
{
    if (x->resolved)
        return true;
    if (!(x->n.value = lookup(p, x->tok)))
        return false;
    if (!(x->n.value_name = ddb_expr_tok_dup(p, x->tok))) {
        ddb_expr_oom(p);
        return false;
    }
    x->resolved = true;
    return true;
}

/* ---- the context: used and unused names and values ------------------------------------------ */

void
ddb_expr_ctx_init(struct ddb_expr_ctx *ctx, struct arena *arena, const json_t *names,
                  const json_t *values)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = arena;
    ctx->names = names;
    ctx->values = values;
    ctx->used = json_object();
}

void
ddb_expr_ctx_release(struct ddb_expr_ctx *ctx)
{
    json_decref(ctx->used);
    ctx->used = NULL;
}

/* "{#a, #b}": the keys of map that no expression used, or NULL when all were. */
static char *
unused_keys(struct ddb_expr_ctx *ctx, const json_t *map)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)map, key, v) {
        size_t need = strlen(key) + 4;

        if (ctx->used && json_object_get(ctx->used, key))
            continue;
        if (len + need + 2 > cap) {
            size_t bigger = (cap + need + 2) * 2;
            char *s = arena_alloc(ctx->arena, bigger);

            if (!s)
                return NULL;
            if (out)
                memcpy(s, out, len + 1);
            out = s;
            cap = bigger;
        }
        len += (size_t)sprintf(out + len, "%s%s", len ? ", " : "{", key);
    }
    if (!out)
        return NULL;
    sprintf(out + len, "}");
    return out;
}

int
ddb_expr_check_unused_values(struct ddb_expr_ctx *ctx, bool has_expression,
                             bool has_value_expression, const char *value_params)
{
    char *keys;

    if (!has_expression && ctx->names) {
        ddb_expr_ctx_fail(ctx,
                          "ExpressionAttributeNames can only be specified when using expressions");
        return -1;
    }
    if (!has_value_expression && ctx->values) {
        if (value_params)
            ddb_expr_ctx_fail(ctx, "ExpressionAttributeValues can only be specified when using "
                          "expressions: %s", value_params);
        else
            ddb_expr_ctx_fail(ctx, "ExpressionAttributeValues can only be specified when using "
                          "expressions");
        return -1;
    }
    if (!has_expression)
        return 0;
    if (ddb_expr_check_maps(ctx))
        return -1;
    if (ctx->names && (keys = unused_keys(ctx, ctx->names))) {
        ddb_expr_ctx_fail(
            ctx, "Value provided in ExpressionAttributeNames unused in expressions: keys: %s",
            keys);
        return -1;
    }
    if (ctx->values && (keys = unused_keys(ctx, ctx->values))) {
        ddb_expr_ctx_fail(ctx, "Value provided in ExpressionAttributeValues unused in expressions: "
                      "keys: %s", keys);
        return -1;
    }
    return 0;
}

int
ddb_expr_check_unused(struct ddb_expr_ctx *ctx, bool has_expression)
{
    return ddb_expr_check_unused_values(ctx, has_expression, has_expression, NULL);
}
