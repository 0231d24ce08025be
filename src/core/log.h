/* log.h: leveled logging to stderr, as text or one JSON object a line.
 *
 * log_request() writes the access line every request gets (service, operation, status,
 * latency, request id). Messages name the failure first and quote the subject:
 * "cannot open '%s': %s". Safe from any thread. */
#ifndef AWSLET_LOG_H
#define AWSLET_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

int log_set_level(const char *name);        /* "debug", "info", "warn", "error"; 0 or -1 */
int log_set_format(const char *name);       /* "text" or "json"; 0 or -1 */
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_request(const char *service, const char *operation, unsigned status, double latency_ms,
                 const char *request_id, const char *method, const char *path);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
