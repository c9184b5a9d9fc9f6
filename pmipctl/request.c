/* request.c: pmipctl's commands as control requests (request.h, doc/control-protocol.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "lma/fc_wire.h"
#include "lma/fc_words.h"
#include "pmipctl/request.h"

static void set_payload(struct request *req, uint16_t type, const void *p, size_t len)
{
	req->type = type;
	req->len = (uint32_t)len;
	if (len)
		memcpy(req->payload, p, len);
}

/* A decimal number from 1 to max. */
static int id_word(const char *word, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (word[0] < '0' || word[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(word, &end, 10);
	return *end || errno == ERANGE || *out == 0 || *out > max ? -1 : 0;
}

static int flow_move(const struct parse_result *res, struct request *req)
{
	const char *const *w = res->argv;
	struct ctl_flow_move m = { 0 };
	unsigned long long id, v;

	if ((res->argc != 4 && res->argc != 6) || id_word(w[0], UINT32_MAX, &id) < 0) {
		fprintf(stderr, "not a flow id: %s\n", res->argc ? w[0] : "");
		return -1;
	}
	m.flow_id = (uint32_t)id;
	if (res->argc == 6) {
		if (id_word(w[5], CTL_BICAST_MAX_MS, &v) < 0) {
			fprintf(stderr, "bicast: 1 to %u milliseconds: %s\n", CTL_BICAST_MAX_MS, w[5]);
			return -1;
		}
		m.bicast_ms = (uint32_t)v;
	}
	if (!strcmp(w[2], "att") && id_word(w[3], 255, &v) == 0) {
		m.target = CTL_MOVE_ATT;
		m.att = (uint8_t)v;
	} else if (!strcmp(w[2], "binding") && id_word(w[3], UINT64_MAX, &v) == 0) {
		m.target = CTL_MOVE_BINDING;
		m.binding_id = v;
	} else if (!strcmp(w[2], "mag") && inet_pton(AF_INET6, w[3], m.mag) == 1) {
		m.target = CTL_MOVE_MAG;
	} else {
		fprintf(stderr, "bad target: %s %s\n", w[2], w[3]);
		return -1;
	}
	set_payload(req, CTL_REQ_FLOW_MOVE, &m, sizeof(m));
	return 0;
}

static int policy_add(const struct parse_result *res, struct request *req)
{
	struct ctl_policy_add a = { 0 };
	struct fc_policy policy;
	const char *const *w = res->argv;
	size_t n = (size_t)res->argc;
	unsigned long long before;
	char err[160];

	if (n >= 2 && !strcmp(w[0], "before")) {
		if (id_word(w[1], UINT32_MAX, &before) < 0) {
			fprintf(stderr, "not a policy id: %s\n", w[1]);
			return -1;
		}
		a.before = (uint32_t)before;
		w += 2;
		n -= 2;
	}
	if (fc_policy_from_words(&policy, (char *const *)w, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	fc_wire_encode(&policy, &a.policy);
	set_payload(req, CTL_REQ_POLICY_ADD, &a, sizeof(a));
	return 0;
}

static int policy_del(const struct parse_result *res, struct request *req)
{
	unsigned long long v;
	uint32_t id;

	if (res->argc != 1 || id_word(res->argv[0], UINT32_MAX, &v) < 0) {
		fprintf(stderr, "not a policy id: %s\n", res->argc ? res->argv[0] : "");
		return -1;
	}
	id = (uint32_t)v;
	set_payload(req, CTL_REQ_POLICY_DEL, &id, sizeof(id));
	return 0;
}

static void mn_request(const struct parse_result *res, struct request *req, uint16_t type)
{
	set_payload(req, type, res->mn_id, res->mn_id[0] ? strlen(res->mn_id) + 1 : 0);
}

int request_build(const struct parse_result *res, struct request *req)
{
	memset(req, 0, sizeof(*req));
	switch (res->action) {
	case ACT_SHOW_BINDINGS:
		mn_request(res, req, CTL_REQ_SHOW_BINDINGS);
		return 0;
	case ACT_SHOW_STATS:
		set_payload(req, CTL_REQ_SHOW_STATS, NULL, 0);
		return 0;
	case ACT_DEREGISTER:
		mn_request(res, req, CTL_REQ_DEREGISTER);
		return 0;
	case ACT_SHOW_FLOWS:
		mn_request(res, req, CTL_REQ_SHOW_FLOWS);
		return 0;
	case ACT_FLOW_MOVE:
		return flow_move(res, req);
	case ACT_POLICY_ADD:
		return policy_add(res, req);
	case ACT_POLICY_DEL:
		return policy_del(res, req);
	case ACT_POLICY_LIST:
		set_payload(req, CTL_REQ_POLICY_LIST, NULL, 0);
		return 0;
	case ACT_RELOAD:
		set_payload(req, CTL_REQ_RELOAD, NULL, 0);
		return 0;
	case ACT_SHOW_VERSION:
		set_payload(req, CTL_REQ_SHOW_VERSION, NULL, 0);
		return 0;
	case ACT_SHOW_PEERS:
		set_payload(req, CTL_REQ_SHOW_PEERS, NULL, 0);
		return 0;
	case ACT_NONE:
		break;
	}
	fprintf(stderr, "no command\n");
	return -1;
}
