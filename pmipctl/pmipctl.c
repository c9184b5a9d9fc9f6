/* pmipctl.c: the control tool of lmad and magd (pmipctl(8)): checks the command line, sends one
 * request over the control socket (ctl_proto.h) and prints the answer as text, JSON (-j) or
 * OpenMetrics (-o openmetrics). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/ctl.h"
#include "lma/fc_wire.h"
#include "pmipctl/output.h"
#include "pmipctl/parser.h"
#include "pmipctl/request.h"
#include "pmipctl/sockfind.h"

#define DEFAULT_SOCKET "/run/pmip6/lmad.sock"

static void usage(void)
{
	fprintf(stderr, "usage: pmipctl [-j | -o text|json|openmetrics] [-s socket | -p pid] command\n"
	                "       pmipctl -c [word ...]   (the words valid next, for completion)\n"
	                "       pmipctl -V\n");
	parse_print_commands(stderr);
	exit(2);
}

static const struct output *output_named(const char *name)
{
	if (strcmp(name, "text") == 0)
		return &output_text;
	if (strcmp(name, "json") == 0)
		return &output_json;
	if (strcmp(name, "openmetrics") == 0)
		return &output_openmetrics;
	fprintf(stderr, "pmipctl: unknown output format %s (text, json or openmetrics)\n", name);
	exit(2);
}

static enum output_kind kind_of(enum action a)
{
	switch (a) {
	case ACT_SHOW_BINDINGS:
		return OUT_BINDINGS;
	case ACT_SHOW_STATS:
		return OUT_STATS;
	case ACT_SHOW_FLOWS:
		return OUT_FLOWS;
	case ACT_SHOW_PEERS:
		return OUT_PEERS;
	case ACT_POLICY_ADD:
	case ACT_POLICY_LIST:
		return OUT_POLICIES;
	case ACT_SHOW_VERSION:
		return OUT_VERSION;
	default:
		return OUT_NOTHING;
	}
}

/* Whether out prints every record the command's answer holds (OpenMetrics: counters only). */
static bool output_fits(const struct output *out, enum action a)
{
	switch (kind_of(a)) {
	case OUT_BINDINGS:
		return out->binding != NULL;
	case OUT_STATS:
		return out->stat != NULL;
	case OUT_FLOWS:
		return out->flow != NULL;
	case OUT_POLICIES:
		return out->policy != NULL;
	case OUT_VERSION:
		return out->version != NULL;
	case OUT_PEERS:
		return out->peer != NULL;
	case OUT_NOTHING:
		break;
	}
	return out != &output_openmetrics;
}

/* One record to its function of out; false when the record is malformed. */
static bool print_record(const struct output *out, const struct ctl_hdr *h, const uint8_t *buf,
                         int n)
{
	if (h->type == CTL_REC_BINDING && n == sizeof(struct ctl_binding) && out->binding) {
		out->binding((const struct ctl_binding *)(const void *)buf);
	} else if (h->type == CTL_REC_STAT && n == sizeof(struct ctl_stat) && out->stat) {
		out->stat((const struct ctl_stat *)(const void *)buf);
	} else if (h->type == CTL_REC_FLOW && n == sizeof(struct ctl_flow) && out->flow) {
		out->flow((const struct ctl_flow *)(const void *)buf);
	} else if (h->type == CTL_REC_PEER && n == sizeof(struct ctl_peer) && out->peer) {
		out->peer((const struct ctl_peer *)(const void *)buf);
	} else if (h->type == CTL_REC_VERSION && n == sizeof(struct ctl_version) && out->version) {
		out->version((const struct ctl_version *)(const void *)buf);
	} else if (h->type == CTL_REC_POLICY && n == sizeof(struct ctl_policy) && out->policy) {
		struct ctl_policy w;
		struct fc_policy p;

		memcpy(&w, buf, sizeof(w));
		if (!fc_wire_decode(&w, &p)) {
			fprintf(stderr, "pmipctl: a policy record out of range\n");
			return false;
		}
		out->policy(&p);
	} else {
		fprintf(stderr, "pmipctl: unexpected reply (type %u, %d octets)\n", h->type, n);
		return false;
	}
	return true;
}

/* Prints the records of one answer until CTL_END (0) or CTL_ERROR (1); -1 on a broken
 * connection or a malformed record. */
static int print_reply(int fd, const struct output *out)
{
	static _Alignas(8) uint8_t buf[CTL_MAX_PAYLOAD]; /* records are cast from it */
	struct ctl_hdr h;
	int n;

	while ((n = ctl_client_read(fd, &h, buf, sizeof(buf))) >= 0) {
		if (h.type == CTL_END)
			return 0;
		if (h.type == CTL_ERROR && n == sizeof(struct ctl_error)) {
			const struct ctl_error *e = (const struct ctl_error *)(void *)buf;

			fprintf(stderr, "pmipctl: error %d: %.*s\n", e->code,
			        (int)sizeof(e->message), e->message);
			return 1;
		}
		if (!print_record(out, &h, buf, n))
			return -1;
	}
	fprintf(stderr, "pmipctl: connection lost: %s\n", strerror(errno));
	return -1;
}

/* Sends the requests (OpenMetrics: the version first, for the metric names), prints the
 * answers; the exit status. */
static int run(const char *path, const struct output *out, const struct request *req,
               enum action action)
{
	bool with_version = out == &output_openmetrics;
	int fd = ctl_client_connect(path), rc = 0;

	if (fd < 0) {
		fprintf(stderr, "pmipctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((with_version && ctl_client_request(fd, CTL_REQ_SHOW_VERSION, NULL, 0) < 0) ||
	    ctl_client_request(fd, req->type, req->len ? req->payload : NULL, req->len) < 0) {
		fprintf(stderr, "pmipctl: sending the request: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	out->begin(kind_of(action));
	if (with_version)
		rc = print_reply(fd, out);
	if (rc == 0)
		rc = print_reply(fd, out);
	close(fd);
	if (out->end() < 0 && rc == 0)
		rc = 1;
	return rc == 0 ? 0 : 1;
}

/* -p PID: the daemon's own control socket, into buf */
static const char *socket_of(const char *pid_text, char *buf, size_t cap)
{
	char err[160], *end;
	long pid;

	errno = 0;
	pid = strtol(pid_text, &end, 10);
	if (errno || *end || pid <= 0 || (pid_t)pid != pid) {
		fprintf(stderr, "pmipctl: -p %s: not a process id\n", pid_text);
		exit(2);
	}
	if (sockfind_of_pid((pid_t)pid, buf, cap, err, sizeof(err)) < 0) {
		fprintf(stderr, "pmipctl: -p: %s\n", err);
		exit(1);
	}
	return buf;
}

int main(int argc, char **argv)
{
	const char *path = getenv("PMIPCTL_SOCKET") ? getenv("PMIPCTL_SOCKET") : DEFAULT_SOCKET;
	const struct output *out = &output_text;
	char found[256];
	struct parse_result res;
	struct request req;
	bool complete = false;
	int ch;

	while ((ch = getopt(argc, argv, "+chjo:p:s:V")) != -1) {
		switch (ch) {
		case 'c':
			complete = true;
			break;
		case 'j':
			out = &output_json;
			break;
		case 'o':
			out = output_named(optarg);
			break;
		case 'p':
			path = socket_of(optarg, found, sizeof(found));
			break;
		case 's':
			path = optarg;
			break;
		case 'V':
			printf("pmipctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (complete)
		return parse_complete(argc - optind, argv + optind, stdout) < 0 ? 1 : 0;
	if (optind == argc)
		usage();
	if (parse_command(argc - optind, argv + optind, &res) < 0)
		return 2;
	if (res.help) {
		parse_print_help(stdout, &res);
		return 0;
	}
	if (!output_fits(out, res.action)) {
		fprintf(stderr, "pmipctl: -o openmetrics shows the counters only (show stats)\n");
		return 2;
	}
	if (request_build(&res, &req) < 0)
		return 2; /* the arguments were wrong: nothing was sent, nothing changed */
	return run(path, out, &req, res.action);
}
