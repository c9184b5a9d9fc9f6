/* sockfind.h: the control socket of a running daemon, found from its process id (pmipctl -p):
 * the listening UNIX stream socket of the process's network namespace (/proc/PID/net/unix)
 * whose pidfile (the socket's path and ".pid", lmad(8), magd(8)) names the process. Reading
 * another process's descriptors would need its capabilities; this needs none. */
#ifndef PMIPCTL_SOCKFIND_H
#define PMIPCTL_SOCKFIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One line of /proc/net/unix: true when it is a listening stream socket bound to a path, with
 * its inode and path (cut at cap - 1 characters). */
bool sockfind_listening_line(const char *line, unsigned long *inode, char *path, size_t cap);

/* The path of the one listening UNIX socket of pid; -1 with the reason in err otherwise. */
int sockfind_of_pid(pid_t pid, char *path, size_t cap, char *err, size_t errlen);

#endif
