/* request.h: a parsed pmipctl command as a control request (ctl_proto.h), its arguments checked
 * before any connection is made: a wrong command line sends nothing and changes nothing. */
#ifndef PMIPCTL_REQUEST_H
#define PMIPCTL_REQUEST_H

#include <stdint.h>

#include "common/ctl_proto.h"
#include "pmipctl/parser.h"

struct request {
	uint16_t type;
	uint32_t len;
	uint8_t payload[CTL_MAX_PAYLOAD];
};

/* Fills req from res; -1 with a message on stderr when an argument is wrong. */
int request_build(const struct parse_result *res, struct request *req);

#endif
