/* pmipctl.c: the control tool of lmad and magd (pmipctl(8)): sends one request over the
 * control socket (ctl_proto.h) and prints the answer as text or, with -j, as JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <stdint.h>

#include "common/ctl.h"
#include "lma/fc_wire.h"
#include "lma/fc_words.h"
#include "pmipctl/output.h"
#include "pmipctl/parser.h"

#define DEFAULT_SOCKET "/run/pmip6/lmad.sock"

static void usage(void)
{
	fprintf(stderr, "usage: pmipctl [-j] [-s socket] command\n");
	parse_print_commands();
	exit(2);
}

static int request_flow_move(int fd, const struct parse_result *res)
{
	struct ctl_flow_move m = { 0 };
	char *const *w = res->rest_argv;
	unsigned long long id, v;
	char *end;

	if ((res->rest_argc != 4 && res->rest_argc != 6) || strcmp(w[1], "to") != 0 ||
	    (res->rest_argc == 6 && strcmp(w[4], "bicast") != 0)) {
		fprintf(stderr, "usage: flow move FLOW-ID to (att N | mag ADDRESS | binding ID) "
		                "[bicast MS]\n");
		return -2;
	}
	if (res->rest_argc == 6) {
		v = strtoull(w[5], &end, 10);
		if (*end || v == 0 || v > CTL_BICAST_MAX_MS) {
			fprintf(stderr, "bicast: 1 to %u milliseconds: %s\n", CTL_BICAST_MAX_MS,
			        w[5]);
			return -2;
		}
		m.bicast_ms = (uint32_t)v;
	}
	id = strtoull(w[0], &end, 10);
	if (*end || id == 0 || id > UINT32_MAX) {
		fprintf(stderr, "not a flow id: %s\n", w[0]);
		return -2;
	}
	m.flow_id = (uint32_t)id;
	v = strtoull(w[3], &end, 10);
	if (!strcmp(w[2], "att") && !*end && v > 0 && v < 256) {
		m.target = CTL_MOVE_ATT;
		m.att = (uint8_t)v;
	} else if (!strcmp(w[2], "binding") && !*end && v > 0) {
		m.target = CTL_MOVE_BINDING;
		m.binding_id = v;
	} else if (!strcmp(w[2], "mag") && inet_pton(AF_INET6, w[3], m.mag) == 1) {
		m.target = CTL_MOVE_MAG;
	} else {
		fprintf(stderr, "bad target: %s %s\n", w[2], w[3]);
		return -2;
	}
	return ctl_client_request(fd, CTL_REQ_FLOW_MOVE, &m, sizeof(m));
}

static int request_policy_add(int fd, const struct parse_result *res)
{
	struct ctl_policy_add a = { 0 };
	struct fc_policy policy;
	char *const *w = res->rest_argv;
	int n = res->rest_argc;
	char err[160];

	if (n >= 2 && !strcmp(w[0], "before")) {
		char *end;
		unsigned long v = strtoul(w[1], &end, 10);

		if (*end || v == 0 || v > UINT32_MAX) {
			fprintf(stderr, "not a policy id: %s\n", w[1]);
			return -2;
		}
		a.before = (uint32_t)v;
		w += 2;
		n -= 2;
	}
	if (fc_policy_from_words(&policy, w, (size_t)n, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -2;
	}
	fc_wire_encode(&policy, &a.policy);
	return ctl_client_request(fd, CTL_REQ_POLICY_ADD, &a, sizeof(a));
}

static int request_policy_del(int fd, const struct parse_result *res)
{
	unsigned long v;
	uint32_t id;
	char *end;

	if (res->rest_argc != 1 || (v = strtoul(res->rest_argv[0], &end, 10)) == 0 || *end ||
	    v > UINT32_MAX) {
		fprintf(stderr, "usage: policy del ID\n");
		return -2;
	}
	id = (uint32_t)v;
	return ctl_client_request(fd, CTL_REQ_POLICY_DEL, &id, sizeof(id));
}

static uint32_t mn_id_len(const struct parse_result *res)
{
	return res->mn_id[0] ? (uint32_t)strlen(res->mn_id) + 1 : 0;
}

/* Sends the request; -2 when the arguments are wrong (nothing sent). */
static int send_request(int fd, const struct parse_result *res)
{
	switch (res->action) {
	case ACT_SHOW_BINDINGS:
		return ctl_client_request(fd, CTL_REQ_SHOW_BINDINGS, res->mn_id, mn_id_len(res));
	case ACT_SHOW_STATS:
		return ctl_client_request(fd, CTL_REQ_SHOW_STATS, NULL, 0);
	case ACT_DEREGISTER:
		return ctl_client_request(fd, CTL_REQ_DEREGISTER, res->mn_id, mn_id_len(res));
	case ACT_SHOW_FLOWS:
		return ctl_client_request(fd, CTL_REQ_SHOW_FLOWS, res->mn_id, mn_id_len(res));
	case ACT_FLOW_MOVE:
		return request_flow_move(fd, res);
	case ACT_POLICY_ADD:
		return request_policy_add(fd, res);
	case ACT_POLICY_DEL:
		return request_policy_del(fd, res);
	case ACT_POLICY_LIST:
		return ctl_client_request(fd, CTL_REQ_POLICY_LIST, NULL, 0);
	case ACT_NONE:
		break;
	}
	return -1;
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
	case ACT_POLICY_ADD:
	case ACT_POLICY_LIST:
		return OUT_POLICIES;
	default:
		return OUT_NOTHING;
	}
}

/* Prints records until CTL_END (0) or CTL_ERROR (1); -1 on a broken connection. */
static int print_reply(int fd, const struct output *out, int kind)
{
	static _Alignas(8) uint8_t buf[CTL_MAX_PAYLOAD]; /* records are cast from it */
	struct ctl_hdr h;
	int n;

	out->begin(kind);
	while ((n = ctl_client_read(fd, &h, buf, sizeof(buf))) >= 0) {
		if (h.type == CTL_REC_BINDING && n == sizeof(struct ctl_binding)) {
			out->binding((const struct ctl_binding *)(void *)buf);
		} else if (h.type == CTL_REC_STAT && n == sizeof(struct ctl_stat)) {
			out->stat((const struct ctl_stat *)(void *)buf);
		} else if (h.type == CTL_REC_FLOW && n == sizeof(struct ctl_flow)) {
			out->flow((const struct ctl_flow *)(void *)buf);
		} else if (h.type == CTL_REC_POLICY && n == sizeof(struct ctl_policy)) {
			struct ctl_policy w;
			struct fc_policy p;

			memcpy(&w, buf, sizeof(w));
			if (!fc_wire_decode(&w, &p)) {
				fprintf(stderr, "pmipctl: a policy record out of range\n");
				return 1;
			}
			out->policy(&p);
		} else if (h.type == CTL_END) {
			out->end();
			return 0;
		} else if (h.type == CTL_ERROR && n == sizeof(struct ctl_error)) {
			const struct ctl_error *e = (const struct ctl_error *)(void *)buf;

			out->end();
			fprintf(stderr, "pmipctl: error %d: %.*s\n", e->code,
			        (int)sizeof(e->message), e->message);
			return 1;
		} else {
			fprintf(stderr, "pmipctl: unexpected reply (type %u, %d octets)\n", h.type,
			        n);
			return -1;
		}
	}
	fprintf(stderr, "pmipctl: connection lost: %s\n", strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	const char *path = getenv("PMIPCTL_SOCKET") ? getenv("PMIPCTL_SOCKET") : DEFAULT_SOCKET;
	const struct output *out = &output_text;
	struct parse_result res;
	int ch, fd, rc;

	while ((ch = getopt(argc, argv, "+hjs:")) != -1) {
		switch (ch) {
		case 'j':
			out = &output_json;
			break;
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc)
		usage();
	if (parse_command(argc - optind, argv + optind, &res) < 0)
		return 2;
	fd = ctl_client_connect(path);
	if (fd < 0) {
		fprintf(stderr, "pmipctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	rc = send_request(fd, &res);
	if (rc == -2) {
		close(fd);
		return 2; /* the arguments were wrong: nothing was sent, nothing changed */
	}
	if (rc < 0) {
		fprintf(stderr, "pmipctl: sending the request: %s\n", strerror(errno));
		return 1;
	}
	rc = print_reply(fd, out, kind_of(res.action));
	close(fd);
	return rc == 0 ? 0 : 1;
}
