/* main.c: lmad, the Local Mobility Anchor daemon (lmad(8)). */
#include "lma/lmad.h"

int main(int argc, char **argv)
{
	struct daemon_options o;

	lmad_parse_args(argc, argv, &o);
	return lmad_run(&o);
}
