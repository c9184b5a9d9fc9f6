/* nl_link.h: watches the kernel's link events (RTNLGRP_LINK) on its own netlink socket with a
 * large receive buffer, and reports carrier changes of the interfaces asked for. On ENOBUFS (the
 * kernel dropped events) it dumps every link again and reports what changed: a resync, never a
 * guess. Messages not sent by the kernel are ignored. */
#ifndef COMMON_NL_LINK_H
#define COMMON_NL_LINK_H

#include <stdbool.h>

struct nl_link;

/* Called for each watched interface whose carrier (IFF_LOWER_UP) is seen to change, and once for
 * each at nl_link_open with its current state. It may call nl_link_watch, not nl_link_close. */
typedef void (*nl_link_fn)(void *arg, unsigned ifindex, bool carrier);

struct nl_link *nl_link_open(nl_link_fn fn, void *arg);
void nl_link_close(struct nl_link *l);
/* Starts reporting ifindex; reports its current carrier at once. */
int nl_link_watch(struct nl_link *l, unsigned ifindex);
/* The socket to poll for readability, and what to call then. */
int nl_link_fd(const struct nl_link *l);
void nl_link_read(struct nl_link *l);

#endif
