/* lmad.h: the Local Mobility Anchor daemon as a library (main.c is a few lines around it): the
 * frontend (Mobility Header socket, control socket, signals) in one libev loop with the engine
 * and the kernel side. */
#ifndef LMA_LMAD_H
#define LMA_LMAD_H

#include "common/daemon.h"
#include "lma/lma_conf.h"

/* Parses argv; exits with usage on a bad option. */
void lmad_parse_args(int argc, char **argv, struct daemon_options *o);
/* Runs until SIGTERM/SIGINT; returns the process exit status. */
int lmad_run(const struct daemon_options *o);

#endif
