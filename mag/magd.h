/* magd.h: the Mobile Access Gateway daemon as a library (main.c is a few lines around it). */
#ifndef MAG_MAGD_H
#define MAG_MAGD_H

#include "common/daemon.h"

void magd_parse_args(int argc, char **argv, struct daemon_options *o);
int magd_run(const struct daemon_options *o);

#endif
