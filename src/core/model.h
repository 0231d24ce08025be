/* model.h: AWS API models as C data, generated from botocore's service-2.json files.
 *
 * tools/gen_model.py writes src/services/<svc>/<svc>_model.c from a model file; the codecs
 * (proto_query.c, proto_restjson.c) walk these shapes to turn wire bytes into a jansson tree
 * and back, exactly as the SDKs' own serializers do. Nothing here is written by hand. */
#ifndef AWSLET_MODEL_H
#define AWSLET_MODEL_H

#include <stddef.h>

enum model_type {
    SHAPE_STRUCTURE,
    SHAPE_LIST,
    SHAPE_MAP,
    SHAPE_STRING,
    SHAPE_INTEGER,
    SHAPE_LONG,
    SHAPE_FLOAT,
    SHAPE_DOUBLE,
    SHAPE_BOOLEAN,
    SHAPE_TIMESTAMP,
    SHAPE_BLOB,
};

/* Where a member travels in a REST request or response ("location" in the model). */
enum model_location {
    LOC_BODY = 0,
    LOC_URI,         /* {Name} or {Name+} in the URI template */
    LOC_QUERYSTRING, /* ?name=value; a map shape takes every remaining parameter */
    LOC_HEADER,      /* one header */
    LOC_HEADERS,     /* a map: every header starting with the locationName prefix */
    LOC_STATUS,      /* the HTTP status code of a response */
};

enum model_member_flags {
    MEMBER_FLATTENED = 1 << 0, /* query/XML: list or map without a wrapper element */
    MEMBER_REQUIRED = 1 << 1,  /* listed in the structure's "required" */
    MEMBER_PAYLOAD = 1 << 2,   /* the structure's "payload" member: the whole body */
    MEMBER_XMLATTR = 1 << 3,   /* XML attribute rather than element */
    MEMBER_JSONVALUE = 1 << 4, /* header carrying base64 JSON (jsonvalue trait) */
};

enum model_shape_flags {
    SHAPE_F_FLATTENED = 1 << 0, /* "flattened": true on the shape itself */
    SHAPE_F_EXCEPTION = 1 << 1, /* an error shape */
};

struct model_shape;

struct model_member {
    const char *name;               /* member name as in the JSON tree handlers see */
    const char *wire;               /* locationName / queryName, or NULL = name */
    const struct model_shape *shape;
    unsigned char location;         /* enum model_location */
    unsigned char flags;            /* enum model_member_flags */
};

struct model_shape {
    const char *name;
    unsigned char type;             /* enum model_type */
    unsigned char flags;            /* enum model_shape_flags */
    unsigned short n_members;       /* structure: members; list: 1 (member); map: 2 (key, value) */
    const struct model_member *members;
    const char *timestamp_format;   /* "iso8601", "unixTimestamp", "rfc822" or NULL */
    const char *error_code;         /* exceptions: "error.code" if the model sets one */
    unsigned short error_status;    /* exceptions: "error.httpStatusCode", 0 if unset */
};

struct model_op {
    const char *name;               /* "SendMessage" */
    const char *method;             /* "POST" */
    const char *uri;                /* "/2015-03-31/functions/{FunctionName}/invocations" */
    const struct model_shape *input;  /* NULL when the operation takes nothing */
    const struct model_shape *output; /* NULL when it returns nothing */
    const char *result_wrapper;     /* query: "SendMessageResult" or NULL */
    unsigned short status;          /* rest: http.responseCode, 0 = 200 */
};

struct model {
    const char *service;            /* endpointPrefix: "sqs" */
    const char *protocol;           /* "query", "json", "rest-json" */
    const char *api_version;        /* "2012-11-05" */
    const char *xml_namespace;      /* query: "http://queue.amazonaws.com/doc/2012-11-05/" */
    const struct model_op *ops;     /* sorted by name (strcmp) */
    size_t n_ops;
};

/* Binary search by operation name; NULL if the model has no such operation. */
const struct model_op *model_find_op(const struct model *m, const char *name);

/* The member called name, or NULL. */
const struct model_member *model_find_member(const struct model_shape *s, const char *name);

#endif
