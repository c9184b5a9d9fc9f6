/* mh_sendq.c: Mobility Header messages sent in batches with sendmmsg(2) (see mh_sendq.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/mh_sendq.h"
#include "proto/mh.h"

int mh_sendq_init(struct mh_sendq *q, int fd)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->buf = malloc((size_t)MH_SENDQ_LEN * MH_MAX_LEN);
	return q->buf ? 0 : -1;
}

void mh_sendq_free(struct mh_sendq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->n = 0;
}

unsigned mh_sendq_push(struct mh_sendq *q, const struct in6_addr *dst, const uint8_t *buf,
                       size_t len)
{
	unsigned refused = 0;
	uint8_t *slot;

	if (len > MH_MAX_LEN)
		len = MH_MAX_LEN; /* the encoder never makes more */
	if (q->n == MH_SENDQ_LEN)
		refused = mh_sendq_flush(q);
	slot = q->buf + (size_t)q->n * MH_MAX_LEN;
	memcpy(slot, buf, len);
	q->to[q->n] = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_addr = *dst };
	q->iov[q->n] = (struct iovec){ .iov_base = slot, .iov_len = len };
	q->msgs[q->n] = (struct mmsghdr){ .msg_hdr = { .msg_name = &q->to[q->n],
		                                         .msg_namelen = sizeof(q->to[q->n]),
		                                         .msg_iov = &q->iov[q->n],
		                                         .msg_iovlen = 1 } };
	q->n++;
	return refused;
}

/* sendmmsg stops at the first message it cannot send and reports that error only when it is
 * the first of the call: that one is dropped and the call made again for the rest. */
unsigned mh_sendq_flush(struct mh_sendq *q)
{
	unsigned done = 0, refused = 0;
	int err = 0;

	while (done < q->n) {
		int r = sendmmsg(q->fd, q->msgs + done, q->n - done, 0);

		if (r > 0) {
			done += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		err = r < 0 ? errno : EIO;
		refused++;
		done++;
	}
	q->n = 0;
	errno = err;
	return refused;
}
