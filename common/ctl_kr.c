/* ctl_kr.c: the kernel side's and the Packet Too Big relay's counters on the control socket (pmipctl(8), "show stats"), apart
 * from ctl.c so that pmipctl, which links ctl.c, does not pull in the kernel side. */
#include "common/ctl.h"
#include "common/pmtu.h"
#include "kr/kr.h"

/* The ebpf driver's datapath counters, in the group "kernel"; nothing with the other drivers,
 * whose datapath the kernel counts on its own devices. */
void ctl_send_datapath(struct ctl_conn *c, const struct kr *k)
{
	struct kr_stats st;

	if (kr_driver_in_use(k) != KR_DRIVER_EBPF)
		return;
	kr_get_stats(k, &st);
	ctl_send_stat(c, "kernel", "encapsulated", st.encapsulated);
	ctl_send_stat(c, "kernel", "encap_errors", st.encap_errors);
	ctl_send_stat(c, "kernel", "decapsulated", st.decapsulated);
	ctl_send_stat(c, "kernel", "unknown_peer", st.unknown_peer);
	ctl_send_stat(c, "kernel", "decap_errors", st.decap_errors);
	ctl_send_stat(c, "kernel", "encap_tagged", st.encap_tagged);
	ctl_send_stat(c, "kernel", "decap_tagged", st.decap_tagged);
	ctl_send_stat(c, "kernel", "tags", st.tags);
}

/* The Packet Too Big relay's counters (RFC 2473 §7), group "pmtu". */
void ctl_send_pmtu(struct ctl_conn *c, const struct pmtu_relay *r)
{
	struct pmtu_stats st;

	pmtu_relay_stats(r, &st);
	ctl_send_stat(c, "pmtu", "relayed", st.relayed);
	ctl_send_stat(c, "pmtu", "ignored", st.ignored);
	ctl_send_stat(c, "pmtu", "rate_limited", st.rate_limited);
	ctl_send_stat(c, "pmtu", "send_errors", st.send_errors);
}
