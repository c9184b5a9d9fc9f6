/* main.c: magd, the Mobile Access Gateway daemon (magd(8)). */
#include "mag/magd.h"

int main(int argc, char **argv)
{
	struct daemon_options o;

	magd_parse_args(argc, argv, &o);
	return magd_run(&o);
}
