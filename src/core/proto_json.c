/* proto_json.c: request and error bodies of the AWS JSON 1.0 / 1.1 protocols.
 *
 * json_decode_body() turns a request body into the input tree (an empty body is {}),
 * json_encode_error() writes the `{"__type":…,"message":…}` error document and json_crc32()
 * computes DynamoDB's x-amz-crc32. Status codes and headers are the dispatcher's business. */
#include "core/proto_json.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "core/buf.h"

json_t *
json_decode_body(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root;
    size_t i;

    if (err && errlen)
        err[0] = '\0';
    /* Clients send no body, or only whitespace, for operations without input. */
    for (i = 0; i < len; i++)
        if (!(body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
            break;
    if (i == len)
        return json_object();

    /* JSON_ALLOW_NUL: "\u0000" is valid JSON; handlers that take text judge it (SQS answers
     * InvalidMessageContents for it), so the codec must not reject the whole request. */
    root = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (err && errlen)
            snprintf(err, errlen, "Unable to parse request body: %s (line %d, column %d)",
                     jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        /* Coral's own wording for a top-level value that is not a structure. */
        if (err && errlen)
            snprintf(err, errlen, "%s",
                     json_is_array(root) ? "Start of list found where not expected"
                                         : "Unexpected token received from parser");
        json_decref(root);
        return NULL;
    }
    return root;
}

int
json_encode_error(struct buf *b, const char *ns, const struct awslet_error *err,
                  const char *message, const json_t *extra)
{
    json_t *doc;
    char *type, *text;
    size_t start = b->len;
    int rc = -1;

    if (ns) {
        size_t n = strlen(ns) + 1 + strlen(err->code) + 1;
        type = malloc(n);
        if (!type)
            return -1;
        snprintf(type, n, "%s#%s", ns, err->code);
    } else {
        type = strdup(err->code);
        if (!type)
            return -1;
    }
    doc = json_pack("{s:s}", "__type", type);
    free(type);
    if (!doc)
        return -1;
    /* json_string() rejects invalid UTF-8; an unprintable message must not lose the error. */
    /* An extra "Message" (DynamoDB's TransactionCanceledException) replaces "message". */
    if (extra && json_object_get(extra, "Message"))
        message = NULL;
    if (message && json_object_set_new(doc, "message", json_string(message)) != 0 &&
        json_object_set_new(doc, "message", json_string("(message is not valid UTF-8)")) != 0)
        goto out;
    if (extra && json_object_update(doc, (json_t *)extra) != 0)
        goto out;
    text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        goto out;
    rc = buf_puts(b, text);
    free(text);
out:
    json_decref(doc);
    if (rc != 0 && b->data) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

unsigned long
json_crc32(const char *data, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    uInt chunk;

    /* zlib takes uInt lengths: feed large bodies in pieces. */
    while (len > 0) {
        chunk = len > UINT_MAX ? UINT_MAX : (uInt)len;
        crc = crc32(crc, (const Bytef *)data, chunk);
        data += chunk;
        len -= chunk;
    }
    return crc;
}
