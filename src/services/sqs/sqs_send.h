/* sqs_send.h: sqs_send.c's own types, and its checks for the unit tests.
 *
 * The checks are pure (an arena for messages, no request, no store): the body's characters,
 * message and system attributes, the FIFO identifiers, batch entry Ids and the batch size.
 * They are static in the daemon and visible to tests/unit/test_sqs_send.c (AWSLET_TESTABLE). */
#ifndef AWSLET_SQS_SEND_H
#define AWSLET_SQS_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/error.h"

struct sqs_queue;

/* Why a message (or a batch) is refused: the error and AWS's text (arena-owned). */
struct sqs_send_fault {
    const struct awslet_error *err;
    const char *msg;
};

/* One message, checked and ready to store. The trees are owned: sqs_send_msg_release(). */
struct sqs_send_msg {
    const char *body; /* borrowed from the input tree */
    size_t body_len;
    json_t *attrs;        /* normalized MessageAttributes, NULL if none */
    json_t *sys;          /* normalized MessageSystemAttributes, NULL if none */
    long long delay;      /* seconds; -1: the queue's DelaySeconds */
    const char *group_id; /* or NULL */
    const char *dedup_id; /* or NULL (FIFO content-based: filled in when stored) */
    size_t size;          /* body + attribute names, types and values, in bytes */
};

/* DataType kinds (custom ".label" suffixes included). */
enum sqs_send_kind { SQS_KIND_NONE = 0, SQS_KIND_STRING, SQS_KIND_NUMBER, SQS_KIND_BINARY };

/* What is wrong with a message attribute name. */
enum sqs_send_name_fault {
    SQS_NAME_OK = 0,
    SQS_NAME_LENGTH,   /* empty or over 256 characters */
    SQS_NAME_CHARS,    /* outside letters, digits, '_', '-', '.' */
    SQS_NAME_RESERVED, /* AWS. / Amazon. prefix, or a leading or trailing period */
    SQS_NAME_PERIODS,  /* two periods in a row */
};

#ifdef AWSLET_TESTING
long sqs_send_bad_char(const char *s, size_t len);
int sqs_send_attr_name_check(const char *name);
int sqs_send_attr_kind(const char *type);
int sqs_send_number_ok(const char *s);
int sqs_send_batch_id_ok(const char *id);
int sqs_send_fifo_id_ok(const char *s);
int sqs_send_check_attrs(struct arena *a, const json_t *attrs, json_t **norm, size_t *size,
                         struct sqs_send_fault *f);
int sqs_send_check_system_attrs(struct arena *a, const json_t *attrs, json_t **norm,
                                struct sqs_send_fault *f);
int sqs_send_check_message(struct arena *a, const json_t *in, const struct sqs_queue *q,
                           struct sqs_send_msg *m, struct sqs_send_fault *f);
void sqs_send_msg_release(struct sqs_send_msg *m);
size_t sqs_send_entry_payload(const json_t *entry);
int sqs_send_check_batch(struct arena *a, const json_t *entries, struct sqs_send_fault *f);
#endif

#endif
