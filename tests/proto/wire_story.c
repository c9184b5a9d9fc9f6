/* wire_story.c: the signalling of a multihomed attachment (draft-bernardos-mif-pmip-02 §5.2),
 * encoded with proto/ and written to a capture: MAG1 registers the MN's WLAN interface, MAG2 its
 * 3G interface and learns the first prefix through the MuHo option, and the LMA tells MAG1 of the
 * second prefix with an Update Notification (RFC 7077). The demo prints each message as our
 * decoder reads it back; scripts/demo then shows tshark's independent decode of the capture. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mh.h"
#include "tests/proto/pcap.h"

#define LMA  "2001:db8:ffff::100"
#define MAG1 "2001:db8:ffff::1"
#define MAG2 "2001:db8:ffff::2"
#define NAI  "mn1@example.org"

static const struct mh_params *params(void)
{
	static struct mh_params p = { .muho_type = MH_MUHO_TYPE_DEFAULT };

	return &p;
}

static struct in6_addr addr(const char *text)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, text, &a) != 1)
		abort();
	return a;
}

static void prefixes(const char *what, const struct mh_prefix *p, unsigned n)
{
	char text[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < n; i++) {
		inet_ntop(AF_INET6, &p[i].addr, text, sizeof(text));
		printf("    %-5s %s/%u%s\n", what, text, p[i].len,
		       p[i].len == 0 ? "  (empty: asks for / has nothing)" : "");
	}
}

static const char *node_name(const char *address)
{
	return strcmp(address, LMA) == 0 ? "LMA" : strcmp(address, MAG1) == 0 ? "MAG1" : "MAG2";
}

/* Encodes, decodes back, prints what the decoder read, and appends the packet to the capture. */
static void send_msg(FILE *pcap, const char *from, const char *to, const char *label,
                     const struct mh_msg *m)
{
	struct in6_addr src = addr(from), dst = addr(to);
	uint8_t buf[MH_MAX_LEN];
	struct mh_msg back;
	ssize_t n = mh_encode(m, params(), buf, sizeof(buf));
	int rc;

	if (n < 0 || (rc = mh_decode(buf, (size_t)n, params(), &back)) != MH_OK) {
		fprintf(stderr, "%s: %s\n", label, mh_strerror(n < 0 ? (int)n : rc));
		exit(1);
	}
	printf("%-4s -> %-4s %s, %zd octets\n", node_name(from), node_name(to), label, n);
	prefixes("HNP", back.opts.hnp, back.opts.n_hnp);
	prefixes("MuHo", back.opts.muho, back.opts.n_muho);
	if (!pcap_write_mh(pcap, &src, &dst, buf, (size_t)n))
		exit(1);
}

static void pbu(struct mh_msg *m, uint8_t att, uint8_t mac_last)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	mh_msg_init(m, MH_TYPE_BU);
	m->u.bu.seq = 1;
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = 150;
	mh_opts_set_nai(&m->opts, NAI);
	mh_opts_add_hnp(&m->opts, &any, 0);  /* ALL_ZERO: allocate a prefix */
	mh_opts_add_muho(&m->opts, &any, 0); /* empty MuHo: the MN is multihomed */
	m->opts.present |= MH_HAVE_HI | MH_HAVE_ATT | MH_HAVE_MNLLID | MH_HAVE_TIMESTAMP;
	m->opts.hi = MH_HI_NEW_IF;
	m->opts.att = att;
	m->opts.llid_len = 6;
	memcpy(m->opts.llid, (const uint8_t[]){ 2, 0, 0, 0, mac_last, mac_last }, 6);
	m->opts.timestamp = mh_timestamp_from_ns(1795305600000000000ull + mac_last * 1000000ull);
}

static void pba_from(struct mh_msg *m, const struct mh_msg *req, const char *hnp, const char *other)
{
	struct in6_addr p = addr(hnp);

	mh_msg_init(m, MH_TYPE_BA);
	m->u.ba.flags = MH_BA_P;
	m->u.ba.seq = req->u.bu.seq;
	m->u.ba.lifetime = req->u.bu.lifetime;
	m->opts = req->opts;
	m->opts.n_hnp = 0;
	m->opts.n_muho = 0;
	mh_opts_add_hnp(&m->opts, &p, 64);
	if (other) {
		p = addr(other);
		mh_opts_add_muho(&m->opts, &p, 64);
	} else {
		mh_opts_add_muho(&m->opts, &in6addr_any, 0);
	}
}

int main(int argc, char **argv)
{
	struct mh_msg req, ack, upn;
	struct in6_addr p1 = addr("2001:db8:1:1::"), p2 = addr("2001:db8:1:2::");
	FILE *pcap;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CAPTURE.pcap\n", argv[0]);
		return 2;
	}
	pcap = pcap_open(argv[1]);
	if (!pcap) {
		perror(argv[1]);
		return 1;
	}
	pbu(&req, 4, 1); /* IEEE 802.11 */
	send_msg(pcap, MAG1, LMA, "PBU: if1 (WLAN) attaches, MuHo requested", &req);
	pba_from(&ack, &req, "2001:db8:1:1::", NULL);
	send_msg(pcap, LMA, MAG1, "PBA: accepted, pref1; no other binding yet", &ack);
	pbu(&req, 7, 2); /* UTRAN */
	send_msg(pcap, MAG2, LMA, "PBU: if2 (3G) attaches, MuHo requested", &req);
	pba_from(&ack, &req, "2001:db8:1:2::", "2001:db8:1:1::");
	send_msg(pcap, LMA, MAG2, "PBA: accepted, pref2; MuHo names pref1 of if1", &ack);
	mh_msg_init(&upn, MH_TYPE_UPN);
	upn.u.upn.seq = 1;
	upn.u.upn.reason = 2; /* UPDATE-SESSION-PARAMETERS */
	upn.u.upn.flags = MH_UPN_A;
	mh_opts_set_nai(&upn.opts, NAI);
	mh_opts_add_muho(&upn.opts, &p1, 64);
	mh_opts_add_muho(&upn.opts, &p2, 64);
	send_msg(pcap, LMA, MAG1, "UPN: the MN's prefixes are now pref1 and pref2", &upn);
	mh_msg_init(&ack, MH_TYPE_UPA);
	ack.u.upa.seq = 1;
	mh_opts_set_nai(&ack.opts, NAI);
	send_msg(pcap, MAG1, LMA, "UPA: MAG1 routes pref2 to the MN too", &ack);
	return pcap_close(pcap) ? 0 : 1;
}
