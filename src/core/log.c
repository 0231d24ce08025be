/* log.c: leveled logging to stderr, as text lines or one JSON object per line.
 *
 * Each line is formatted into a local buffer and written with one write(2), so lines from
 * different threads never interleave. The access line for each request is log_request(). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static enum log_level log_min = LOG_INFO;
static bool log_json;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int
log_set_level(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            log_min = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int
log_set_format(const char *name)
{
    if (strcmp(name, "text") == 0)
        log_json = false;
    else if (strcmp(name, "json") == 0)
        log_json = true;
    else
        return -1;
    return 0;
}

bool
log_enabled(enum log_level level)
{
    return level >= log_min;
}

/* ISO-8601 UTC with milliseconds: 2026-11-23T11:32:00.123Z */
static void
log_timestamp(char *out, size_t len)
{
    struct timeval tv;
    struct tm tm;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));
}

static void
log_write(const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, s, len);
        if (n <= 0)
            return; /* nowhere to report a failing stderr */
        s += n;
        len -= (size_t)n;
    }
}

/* JSON lines go through jansson so every field is escaped correctly. */
static void
log_emit_json(json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\0';
    log_write(text, len);
    log_write("\n", 1);
    free(text);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    char ts[64], msg[2048], line[2200];
    va_list ap;

    if (level < log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_timestamp(ts, sizeof(ts));
    if (log_json) {
        log_emit_json(json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[level], "msg",
                                msg));
        return;
    }
    int n = snprintf(line, sizeof(line), "%s %-5s %s\n", ts, level_names[level], msg);
    if (n > 0)
        log_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void
log_request(const char *service, const char *operation, unsigned status, double latency_ms,
            const char *request_id, const char *method, const char *path)
{
    char ts[64], line[1024];

    if (LOG_INFO < log_min)
        return;
    log_timestamp(ts, sizeof(ts));
    if (log_json) {
        log_emit_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:s}", "ts", ts,
                                "level", "info", "msg", "request", "service", service,
                                "operation", operation, "status", (int)status, "latency_ms",
                                latency_ms, "request_id", request_id, "method", method, "path",
                                path));
        return;
    }
    int n = snprintf(line, sizeof(line), "%s info  %s %s %u %.2fms %s %s %s\n", ts, service,
                     *operation ? operation : "-", status, latency_ms, request_id, method, path);
    if (n > 0)
        log_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
