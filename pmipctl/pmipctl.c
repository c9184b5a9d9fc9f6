/* pmipctl.c: the control tool of lmad and magd (pmipctl(8)): sends one request over the
 * control socket (ctl_proto.h) and prints the answer as text or, with -j, as JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ctl.h"
#include "pmipctl/output.h"
#include "pmipctl/parser.h"

#define DEFAULT_SOCKET "/run/pmip6/lmad.sock"

static void usage(void)
{
	fprintf(stderr, "usage: pmipctl [-j] [-s socket] command\n");
	parse_print_commands();
	exit(2);
}

static int send_request(int fd, const struct parse_result *res)
{
	switch (res->action) {
	case ACT_SHOW_BINDINGS:
		return ctl_client_request(fd, CTL_REQ_SHOW_BINDINGS, res->mn_id,
		                          res->mn_id[0] ? (uint32_t)strlen(res->mn_id) + 1 : 0);
	case ACT_SHOW_STATS:
		return ctl_client_request(fd, CTL_REQ_SHOW_STATS, NULL, 0);
	case ACT_DEREGISTER:
		return ctl_client_request(fd, CTL_REQ_DEREGISTER, res->mn_id,
		                          (uint32_t)strlen(res->mn_id) + 1);
	case ACT_NONE:
		break;
	}
	return -1;
}

/* Prints records until CTL_END (0) or CTL_ERROR (1); -1 on a broken connection. */
static int print_reply(int fd, const struct output *out, int kind)
{
	static uint8_t buf[CTL_MAX_PAYLOAD];
	struct ctl_hdr h;
	int n;

	out->begin(kind);
	while ((n = ctl_client_read(fd, &h, buf, sizeof(buf))) >= 0) {
		if (h.type == CTL_REC_BINDING && n == sizeof(struct ctl_binding)) {
			out->binding((const struct ctl_binding *)(void *)buf);
		} else if (h.type == CTL_REC_STAT && n == sizeof(struct ctl_stat)) {
			out->stat((const struct ctl_stat *)(void *)buf);
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
	if (send_request(fd, &res) < 0) {
		fprintf(stderr, "pmipctl: sending the request: %s\n", strerror(errno));
		return 1;
	}
	rc = print_reply(fd, out, res.action == ACT_SHOW_BINDINGS ? 0 : 1);
	close(fd);
	return rc == 0 ? 0 : 1;
}
