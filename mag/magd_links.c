/* magd_links.c: magd's sockets and access links: the Mobility Header socket bound to the
 * Proxy-CoA, the RA sender, and per access link its index, its MAC (for the RA's source
 * link-layer option), the MAG's one link-local address (RFC 5213 §6.8, installed by kr), a
 * Router Solicitation capture and a carrier watch. */
#include <errno.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mag/magd_int.h"

static void link_event_cb(void *arg, unsigned ifindex, bool carrier)
{
	struct magd *d = arg;
	struct mag_now now;

	if (!d->engine)
		return;
	magd_now(&now);
	log_info("access link %u: carrier %s", ifindex, carrier ? "up" : "lost");
	/* taking a link down flushes its addresses: the MAG's link-local one comes back with it */
	if (carrier && kr_addr_add(d->kr, ifindex, &d->conf->link_local, 64) < 0 && errno != EEXIST)
		log_warn("access link %u: link-local address", ifindex);
	mag_engine_link(d->engine, ifindex, carrier, &now);
}

int magd_open_sockets(struct magd *d)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = d->conf->proxy_coa };

	d->mh_fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MH);
	if (d->mh_fd < 0 || mh_pperr_sockopts(d->mh_fd) < 0 ||
	    bind(d->mh_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_warn("Mobility Header socket on the Proxy-CoA");
		return -1;
	}
	if (mh_pperr_open(&d->pperr, &d->conf->proxy_coa) < 0) {
		log_warn("ICMPv6 socket on the Proxy-CoA");
		return -1;
	}
	d->ra_fd = nd_open_ra_sender();
	if (d->ra_fd < 0) {
		log_warn("router advertisement socket");
		return -1;
	}
	d->links = nl_link_open(link_event_cb, d);
	if (!d->links) {
		log_warn("link event socket");
		return -1;
	}
	return 0;
}

static int read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (fd >= 0)
		close(fd);
	if (rc < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int open_one(struct magd *d, const struct mag_conf_access *a)
{
	struct access_watch *w = &d->access[d->n_access];

	snprintf(w->ifname, sizeof(w->ifname), "%s", a->ifname);
	w->d = d;
	w->ifindex = if_nametoindex(a->ifname);
	if (w->ifindex == 0 || read_mac(a->ifname, w->mac) < 0) {
		log_warnx("access interface %s: not an Ethernet interface here", a->ifname);
		return -1;
	}
	if (kr_addr_add(d->kr, w->ifindex, &d->conf->link_local, 64) < 0) {
		log_warn("access interface %s: link-local address", a->ifname);
		return -1;
	}
	w->fd = nd_open_rs_capture(w->ifindex);
	if (w->fd < 0) {
		log_warn("access interface %s: router solicitation capture", a->ifname);
		return -1;
	}
	mag_engine_set_access(d->engine, a->ifname, w->ifindex, w->mac);
	d->n_access++;
	return nl_link_watch(d->links, w->ifindex);
}

int magd_open_access(struct magd *d)
{
	const struct mag_conf_access *a;

	TAILQ_FOREACH(a, &d->conf->access, entry)
	{
		if (d->n_access >= MAGD_MAX_ACCESS) {
			log_warnx("more than %d access interfaces", MAGD_MAX_ACCESS);
			return -1;
		}
		if (open_one(d, a) < 0)
			return -1;
	}
	return 0;
}

void magd_close_access(struct magd *d)
{
	for (unsigned i = 0; i < d->n_access; i++) {
		if (d->loop)
			ev_io_stop(d->loop, &d->access[i].w);
		close(d->access[i].fd);
	}
	d->n_access = 0; /* the addresses go with kr_close */
}

bool magd_same_access(const struct mag_conf *a, const struct mag_conf *b)
{
	const struct mag_conf_access *x, *y;

	if (a->n_access != b->n_access)
		return false;
	TAILQ_FOREACH(x, &a->access, entry)
	{
		y = mag_conf_find_access(b, x->ifname);
		if (!y)
			return false;
	}
	return true;
}
