/* log.c: logging to stderr or syslog (see log.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "common/log.h"

static bool log_foreground = true;
static int log_verbose;
static char log_last[1024]; /* the last warning: a failed start reports it (daemon.h) */

void log_init(const char *ident, bool foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

static void vlog(int pri, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vlog_errno(int pri, int err, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

static void vlog(int pri, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (pri <= LOG_WARNING)
		memcpy(log_last, buf, sizeof(log_last));
	if (log_foreground) {
		fprintf(stderr, "%s\n", buf);
		fflush(stderr);
	} else {
		syslog(pri, "%s", buf);
	}
}

static void vlog_errno(int pri, int err, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (pri <= LOG_WARNING) {
		size_t n = strlen(buf) < sizeof(log_last) ? strlen(buf) : sizeof(log_last) - 1;

		memcpy(log_last, buf, n);
		snprintf(log_last + n, sizeof(log_last) - n, ": %s", strerror(err));
	}
	if (log_foreground)
		fprintf(stderr, "%s: %s\n", buf, strerror(err));
	else
		syslog(pri, "%s: %s", buf, strerror(err));
}

const char *log_last_warning(void)
{
	return log_last;
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, err, fmt, ap);
	va_end(ap);
	errno = err;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

static uint64_t monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

void log_warnx_limited(struct log_limit *l, const char *fmt, ...)
{
	uint64_t now = monotonic_s();
	char buf[1024];
	va_list ap;

	if (now >= l->window_start_s + l->interval_s) {
		l->window_start_s = now;
		l->in_window = 0;
	}
	if (l->in_window >= l->burst) {
		l->suppressed++;
		return;
	}
	l->in_window++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->suppressed)
		log_warnx("%s (%lu similar messages suppressed)", buf, l->suppressed);
	else
		log_warnx("%s", buf);
	l->suppressed = 0;
}
