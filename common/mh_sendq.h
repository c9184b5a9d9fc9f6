/* mh_sendq.h: Mobility Header messages (RFC 6275 §6.1) queued on their way to a raw socket and
 * sent in batches, one sendmmsg(2) for up to MH_SENDQ_LEN of them: an LMA answering a burst of
 * PBUs makes one system call for the burst's PBAs instead of one a PBA. */
#ifndef PMIP_MH_SENDQ_H
#define PMIP_MH_SENDQ_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MH_SENDQ_LEN 64

struct mh_sendq {
	int fd;
	unsigned n;  /* queued */
	uint8_t *buf; /* MH_SENDQ_LEN messages of MH_MAX_LEN octets */
	struct sockaddr_in6 to[MH_SENDQ_LEN];
	struct iovec iov[MH_SENDQ_LEN];
	struct mmsghdr msgs[MH_SENDQ_LEN];
};

/* A queue toward fd (not owned); -1 when out of memory. */
int mh_sendq_init(struct mh_sendq *q, int fd);
void mh_sendq_free(struct mh_sendq *q);
/* Queues one message (len <= MH_MAX_LEN, copied); a full queue is sent first. Returns what
 * mh_sendq_flush returned for it, or 0. */
unsigned mh_sendq_push(struct mh_sendq *q, const struct in6_addr *dst, const uint8_t *buf,
                       size_t len);
/* Sends every queued message; one the kernel refuses is dropped and the rest still go. Returns
 * how many were refused, with errno that of the last refusal. */
unsigned mh_sendq_flush(struct mh_sendq *q);

#endif
