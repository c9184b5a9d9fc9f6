/* lease_bench.c: what writing the prefix lease file costs lmad's event loop, for
 * doc/benchmarks.md: an engine holding BINDINGS pooled prefixes (one per MN-ID, "mn any"), its
 * lease file written through state_sync as lmad does (lmad_leases.c), and then REFRESHES
 * renewals from another MAG with a pool change and a save due after every 100 of them, as
 * under churn with lease-sync elapsing. Prints the file's size, the time each save holds the
 * loop, and the refreshes' wall time; never judges them. Usage: lease_bench [BINDINGS
 * [REFRESHES [PATH]]] (default 303,000, 2,000, /tmp/lease_bench.leases). */
#include <arpa/inet.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/hmap.h"
#include "common/state_sync.h"
#include "lma/engine.h"

static const char conf_text[] = "lma-address 2001:db8:ffff::100\n"
                                "uplink-interface eth0\n"
                                "prefix-pool 2001:db8::/32 length 64\n"
                                "replay-protection sequence\n"
                                "max-bindings 16777216\n"
                                "max-bindings-per-mag 16777216\n"
                                "mn any\n"
                                "mag 2001:db8:ffff::1\n"
                                "mag 2001:db8:ffff::2\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void io_send(void *ctx, const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	(void)ctx, (void)dst, (void)buf, (void)len;
}

static int io_tunnel_add(void *ctx, const struct in6_addr *peer, uint32_t *id)
{
	(void)ctx;
	*id = peer->s6_addr[15];
	return 0;
}

static int io_tunnel_del(void *ctx, uint32_t id)
{
	(void)ctx, (void)id;
	return 0;
}

static int io_route_add(void *ctx, const struct mh_prefix *p, uint32_t t, uint64_t cookie)
{
	(void)ctx, (void)p, (void)t, (void)cookie;
	return 0;
}

static int io_route_del(void *ctx, const struct mh_prefix *p, uint64_t cookie)
{
	(void)ctx, (void)p, (void)cookie;
	return 0;
}

static struct lma_engine *e;
static struct lma_now clock_now = { .mono_ns = 1000000000000ull, .real_ns = 1 };

static void pbu(const char *mag, unsigned mn, uint16_t seq)
{
	struct mh_params params = { .muho_type = 18 };
	uint8_t buf[MH_MAX_LEN];
	char nai[64];
	struct mh_msg m;
	struct in6_addr src;
	ssize_t n;

	snprintf(nai, sizeof(nai), "mn%07u@example.org", mn);
	mh_msg_init(&m, MH_TYPE_BU);
	m.u.bu.seq = seq;
	m.u.bu.flags = MH_BU_A | MH_BU_P;
	m.u.bu.lifetime = 900;
	mh_opts_set_nai(&m.opts, nai);
	m.opts.mnid.subtype = MH_MNID_SUBTYPE_NAI;
	mh_opts_add_hnp(&m.opts, &in6addr_any, 0);
	m.opts.present |= MH_HAVE_HI | MH_HAVE_ATT;
	m.opts.hi = 1;
	m.opts.att = 4;
	n = mh_encode(&m, &params, buf, sizeof(buf));
	inet_pton(AF_INET6, mag, &src);
	if (n > 0)
		lma_engine_input(e, &src, buf, (size_t)n, &clock_now);
	lma_engine_flush(e);
}

static uint64_t changes(void *arg)
{
	(void)arg;
	return lma_engine_lease_changes(e);
}

static int fill(FILE *out, void *arg)
{
	(void)arg;
	return lma_engine_save_leases(e, out);
}

/* One save as lmad's lease-sync timer makes it: how long it holds the loop. */
static double timed_save(struct state_sync *s)
{
	double t0 = now_s();

	ev_invoke(s->loop, &s->w, EV_TIMER);
	return now_s() - t0;
}

/* Lets the loop run until the file holds what was saved (a background write ends). */
static void settle(struct state_sync *s, uint64_t writes)
{
	while (s->writes + s->failures <= writes)
		ev_run(s->loop, EVRUN_ONCE);
}

static struct lma_engine *engine_new(struct lma_conf **conf)
{
	static const struct lma_io io = { .send = io_send,
		                          .tunnel_add = io_tunnel_add,
		                          .tunnel_del = io_tunnel_del,
		                          .route_add = io_route_add,
		                          .route_del = io_route_del };
	char err[256];
	FILE *f = fmemopen((void *)conf_text, strlen(conf_text), "r");

	*conf = lma_conf_parse(f, "bench.conf", err, sizeof(err));
	fclose(f);
	if (!*conf) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return lma_engine_new(*conf, &io, 1024);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 303000;
	unsigned refreshes = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	const char *path = argc > 3 ? argv[3] : "/tmp/lease_bench.leases";
	struct state_sync s = {
		.path = path, .every_ms = 3600000, .changes = changes, .fill = fill
	};
	double worst = 0, sum = 0, t0, t;
	unsigned saves = 0;
	struct lma_conf *conf;
	struct stat st;

	hash_seed_init();
	e = engine_new(&conf);
	for (unsigned i = 0; i < n; i++)
		pbu("2001:db8:ffff::1", i, 0);
	state_sync_start(&s, EV_DEFAULT);
	t = timed_save(&s);
	settle(&s, 0);
	stat(path, &st);
	printf("%zu bindings: lease file %.1f MB; first save held the loop %.1f ms\n",
	       lma_engine_cache(e)->n_bce, st.st_size / 1e6, t * 1e3);
	pbu("2001:db8:ffff::2", n, 0); /* the MN that refreshes */
	t0 = now_s();
	for (unsigned i = 1; i <= refreshes; i++) {
		pbu("2001:db8:ffff::2", n, (uint16_t)i);
		if (i % 100 == 0) { /* another MN comes: the pool changed; lease-sync is due */
			pbu("2001:db8:ffff::1", n + i, 0);
			t = timed_save(&s);
			worst = t > worst ? t : worst;
			sum += t;
			saves++;
			ev_run(s.loop, EVRUN_NOWAIT);
		}
	}
	t = now_s() - t0;
	printf("%u refreshes with %u saves: %.3f s; a save held the loop %.1f ms on average, "
	       "%.1f ms at worst\n",
	       refreshes, saves, t, saves ? sum / saves * 1e3 : 0.0, worst * 1e3);
	state_sync_stop(&s);
	printf("writes %llu, failures %llu\n", (unsigned long long)s.writes,
	       (unsigned long long)s.failures);
	lma_engine_free(e);
	lma_conf_free(conf);
	return 0;
}
