/* router.c: one port, every service: which service, protocol and operation a request is.
 *
 * The checks run in the order of router.h. Nothing here reads a service's state; it only
 * looks at the method, path, Host, X-Amz-Target, Content-Type, the SigV4 scope and (for the
 * query protocol) the Action and Version parameters. */
#include "core/router.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/proto_restjson.h"
#include "core/sigv4.h"
#include "services/service.h"

int
router_is_queue_path(const char *path)
{
    const char *p = path;

    if (*p++ != '/')
        return 0;
    for (int i = 0; i < 12; i++, p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    if (*p++ != '/')
        return 0;
    /* Queue names: 1-80 of [A-Za-z0-9_-], with ".fifo" allowed at the end. */
    const char *name = p;
    while (*p && *p != '/')
        p++;
    return p > name;
}

int
router_execute_api_host(const char *host, char *out, size_t outlen)
{
    const char *dot = strchr(host, '.');
    size_t n;

    if (!dot || strncasecmp(dot, ".execute-api.", 13) != 0)
        return 0;
    n = (size_t)(dot - host);
    if (n == 0 || n >= outlen)
        return 0;
    memcpy(out, host, n);
    out[n] = '\0';
    return 1;
}

int
router_is_user_request_path(const char *path)
{
    /* /restapis/{id}/{stage}/_user_request_ followed by '/' or the end */
    if (strncmp(path, "/restapis/", 10) != 0)
        return 0;
    const char *p = path + 10;
    for (int seg = 0; seg < 2; seg++) {
        const char *slash = strchr(p, '/');
        if (!slash || slash == p)
            return 0;
        p = slash + 1;
    }
    return strncmp(p, "_user_request_", 14) == 0 && (p[14] == '\0' || p[14] == '/');
}

/* Region and account from the SigV4 Authorization header or a presigned X-Amz-Credential. */
static void
router_identity(struct awslet_req *req)
{
    struct sigv4_scope s;
    const char *auth = req_header(req, "Authorization");
    const char *cred = req_query_arg(req, "X-Amz-Credential");
    int ok = -1;

    if (auth)
        ok = sigv4_parse_authorization(auth, &s);
    if (ok != 0 && cred)
        ok = sigv4_parse_credential(cred, &s);
    req->access_key = "";
    req->signing_service = "";
    req->region = awslet_cfg.region;
    req->account = awslet_cfg.account_id;
    if (ok != 0)
        return;
    req->access_key = arena_strdup(&req->arena, s.access_key);
    req->signing_service = arena_strdup(&req->arena, s.service);
    if (s.region[0])
        req->region = arena_strdup(&req->arena, s.region);
    if (sigv4_key_is_account(s.access_key))
        req->account = req->access_key;
    if (!req->access_key || !req->signing_service || !req->region) {
        req->access_key = req->signing_service = "";
        req->region = awslet_cfg.region;
        req->account = awslet_cfg.account_id;
    }
}

static enum route_kind
router_json(struct awslet_req *req, const char *target)
{
    const char *dot = strchr(target, '.');
    const struct awslet_service *svc;

    if (!dot)
        return ROUTE_NONE;
    svc = service_by_target(target, (size_t)(dot - target));
    if (!svc)
        return ROUTE_NONE;
    req->svc = svc;
    /* A service speaks one JSON version; the client's Content-Type does not change it. */
    req->proto = (svc->protocols & PROTO_JSON_1_1) ? PROTO_JSON_1_1 : PROTO_JSON_1_0;
    req->op_name = arena_strdup(&req->arena, dot + 1);
    if (!req->op_name)
        return ROUTE_NONE;
    req->op = service_find_op(svc, req->op_name);
    return ROUTE_OP;
}

static enum route_kind
router_rest(struct awslet_req *req)
{
    for (size_t i = 0; i < awslet_n_services; i++) {
        const struct awslet_service *svc = awslet_services[i];
        const struct model_op *mop;
        json_t *params = NULL;

        if (!(svc->protocols & PROTO_REST_JSON) || !svc->model)
            continue;
        mop = rest_match(svc->model, req->method, req->path, req->query, &params);
        if (!mop)
            continue;
        req->svc = svc;
        req->proto = PROTO_REST_JSON;
        req->mop = mop;
        req->op_name = mop->name;
        req->path_params = params;
        req->op = service_find_op(svc, mop->name);
        return ROUTE_OP;
    }
    return ROUTE_NONE;
}

static int
router_is_form(const struct awslet_req *req)
{
    return strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Query protocol: parameters may come in the URL, the form body, or both. */
static enum route_kind
router_query(struct awslet_req *req, struct form *form)
{
    const struct awslet_service *svc = NULL;
    struct form body = {0};
    const char *action, *version;

    if (router_is_form(req) && req->body_len > 0) {
        if (form_parse(&req->arena, req->body, req->body_len, &body) != 0)
            body.n = 0;
    }
    /* Merge URL arguments and body parameters into one sorted form. */
    size_t n_url = req->query ? req->query->n : 0;
    form->n = n_url + body.n;
    form->pairs = arena_alloc(&req->arena, (form->n ? form->n : 1) * sizeof(*form->pairs));
    if (!form->pairs)
        return ROUTE_NONE;
    {
        size_t i = 0, j = 0, k = 0;
        const struct form_pair *a = n_url ? req->query->pairs : NULL, *b = body.pairs;
        while (i < n_url || j < body.n) {
            if (j == body.n || (i < n_url && strcmp(a[i].key, b[j].key) <= 0))
                form->pairs[k++] = a[i++];
            else
                form->pairs[k++] = b[j++];
        }
    }
    action = form_get(form, "Action");
    if (!action)
        return ROUTE_NONE;
    version = form_get(form, "Version");

    /* SQS and SNS share action names, so the action alone never decides. */
    if (req->signing_service[0])
        svc = service_by_name(req->signing_service);
    if (svc && !(svc->protocols & PROTO_QUERY))
        svc = NULL;
    if (!svc && version)
        svc = service_by_query_version(version);
    if (!svc && router_is_queue_path(req->path))
        svc = service_by_name("sqs");
    if (!svc)
        return ROUTE_NONE;
    req->svc = svc;
    req->proto = PROTO_QUERY;
    req->op_name = action;
    req->op = service_find_op(svc, action);
    req->mop = svc->model ? model_find_op(svc->model, action) : NULL;
    return ROUTE_OP;
}

enum route_kind
router_route(struct awslet_req *req, struct form *form)
{
    char api_id[64];
    const char *target;

    form->pairs = NULL;
    form->n = 0;
    router_identity(req);

    if (strcmp(req->path, "/_awslet") == 0 || strncmp(req->path, "/_awslet/", 9) == 0)
        return ROUTE_ADMIN;

    /* The data plane is the API's own HTTP surface: even OPTIONS belongs to the API. */
    if (router_execute_api_host(req->host, api_id, sizeof(api_id)) ||
        router_is_user_request_path(req->path)) {
        req->svc = service_by_name("apigateway");
        req->proto = PROTO_RAW;
        req->op_name = "";
        return req->svc ? ROUTE_RAW : ROUTE_NONE;
    }

    if (strcmp(req->method, "OPTIONS") == 0 && req_header(req, "Origin") &&
        req_header(req, "Access-Control-Request-Method"))
        return ROUTE_PREFLIGHT;

    target = req_header(req, "X-Amz-Target");
    if (target)
        return router_json(req, target);

    enum route_kind k = router_rest(req);
    if (k != ROUTE_NONE)
        return k;
    return router_query(req, form);
}
