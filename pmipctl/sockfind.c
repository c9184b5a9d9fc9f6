/* sockfind.c: the control socket of a running daemon, from its process id (sockfind.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmipctl/sockfind.h"

#define ACCEPTCON 0x10000u /* __SO_ACCEPTCON in the Flags column: listening */
#define STREAM    1u       /* SOCK_STREAM in the Type column */

bool sockfind_listening_line(const char *line, unsigned long *inode, char *path, size_t cap)
{
	unsigned flags, type, state;
	char found[256];
	int n;

	n = sscanf(line, "%*x: %*x %*x %x %x %x %lu %255s", &flags, &type, &state, inode, found);
	if (n != 5 || !(flags & ACCEPTCON) || type != STREAM || found[0] != '/')
		return false;
	snprintf(path, cap, "%s", found);
	return true;
}

/* Whether the pidfile beside a control socket (PATH.pid, lmad(8), magd(8)) names pid. */
static bool pidfile_names(const char *sock, pid_t pid)
{
	char name[300];
	long named = 0;
	FILE *f;
	bool yes;

	snprintf(name, sizeof(name), "%s.pid", sock);
	if (!(f = fopen(name, "r")))
		return false;
	yes = fscanf(f, "%ld", &named) == 1 && named == (long)pid;
	fclose(f);
	return yes;
}

/* The listening sockets of /proc/PID/net/unix whose pidfile names pid: how many, the first in
 * path; -1 with errno. */
static int listening_of(pid_t pid, char *path, size_t cap)
{
	char name[64], line[512], found[256];
	unsigned long inode;
	int matches = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%ld/net/unix", (long)pid);
	if (!(f = fopen(name, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sockfind_listening_line(line, &inode, found, sizeof(found)) &&
		    pidfile_names(found, pid) && matches++ == 0)
			snprintf(path, cap, "%s", found);
	fclose(f);
	return matches;
}

int sockfind_of_pid(pid_t pid, char *path, size_t cap, char *err, size_t errlen)
{
	int found = listening_of(pid, path, cap);

	if (found < 0)
		snprintf(err, errlen, "process %ld: %s", (long)pid, strerror(errno));
	else if (found == 0)
		snprintf(err, errlen, "process %ld has no control socket (none with a pidfile naming it)",
		         (long)pid);
	else if (found > 1)
		snprintf(err, errlen, "process %ld has %d listening UNIX sockets: give -s", (long)pid,
		         found);
	return found == 1 ? 0 : -1;
}
