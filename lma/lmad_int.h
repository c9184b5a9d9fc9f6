/* lmad_int.h: the state lmad.c and lmad_ctl.c share. */
#ifndef LMA_LMAD_INT_H
#define LMA_LMAD_INT_H

#include <ev.h>

#include "common/ctl.h"
#include "common/kr.h"
#include "common/log.h"
#include "lma/engine.h"

struct lmad {
	const char *conf_path;
	struct lma_conf *conf;
	struct ev_loop *loop;
	struct kr *kr;
	struct lma_engine *engine;
	struct ctl_server *ctl;
	int mh_fd;
	ev_io mh_w;
	ev_timer timer_w;
	struct log_limit send_limit, kr_limit;
};

void lmad_now(struct lma_now *now);
void lmad_ctl_handle(struct ctl_conn *c, uint16_t type, const uint8_t *payload, uint32_t len,
                     void *arg);

#endif
