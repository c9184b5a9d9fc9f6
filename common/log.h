/* log.h: the one logging API of the daemons (after OpenBSD's log.h): stderr in the foreground,
 * syslog when daemonized; log_warn adds strerror(errno); fatal exits. Rate-limited variants keep
 * one bad peer from flooding the log. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

void log_init(const char *ident, bool foreground, int verbose);
void log_set_verbose(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last line logged at warning level or above ("" if none): what a failed start reports. */
const char *log_last_warning(void);
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* At most `burst` lines per `interval_s` seconds through one limiter; the lines it suppresses are
 * counted and reported with the next line it lets through. */
struct log_limit {
	unsigned interval_s;
	unsigned burst;
	uint64_t window_start_s;
	unsigned in_window;
	unsigned long suppressed;
};
#define LOG_LIMIT_INIT(interval, burst_)                                                           \
	{                                                                                          \
		.interval_s = (interval), .burst = (burst_)                                        \
	}

void log_warnx_limited(struct log_limit *l, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
