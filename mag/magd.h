/* magd.h: the Mobile Access Gateway daemon as a library (main.c is a few lines around it). */
#ifndef MAG_MAGD_H
#define MAG_MAGD_H

#include <stdbool.h>

struct magd_options {
	const char *conf_path;
	bool check_only; /* -n */
	int verbose;     /* -v: with -n, print the configuration back */
	bool foreground; /* -d */
};

void magd_parse_args(int argc, char **argv, struct magd_options *o);
int magd_run(const struct magd_options *o);

#endif
