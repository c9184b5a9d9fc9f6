/* test_kr_fc.c: flow steering's kernel side (kr/kr_fc*.c) without a kernel: the
 * ip6tables-restore scripts (golden text), the removal script made from ip6tables-save's output,
 * the parser of /proc/net/netfilter/nfnetlink_queue, the ctnetlink requests (golden bytes, the
 * same as conntrack-tools send), the tuple read from a queued packet (with every truncation),
 * and the argument checks of the public calls. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kr/kr_fc.h"

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "tests/check_main.h"

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* --- the scripts --- */

static const char golden_chain[] =
        "*mangle\n"
        ":PMIP6 - [0:0]\n"
        ":PMIP6_QUEUE - [0:0]\n"
        ":PMIP6_DUP - [0:0]\n"
        "-A PMIP6 -m set ! --match-set pmip6_mh dst -j RETURN\n"
        "-A PMIP6 -m connmark ! --mark 0 -j CONNMARK --restore-mark\n"
        "-A PMIP6 -m connmark ! --mark 0x0/0xffff0000 -j PMIP6_DUP\n" /* a bicast slot */
        "-A PMIP6 -m connmark ! --mark 0 -j RETURN\n"
        "-A PMIP6 -m mark ! --mark 0 -j CONNMARK --save-mark\n"
        "-A PMIP6 -m mark ! --mark 0x0/0xffff0000 -j PMIP6_DUP\n" /* the same after NF_REPEAT */
        "-A PMIP6 -m mark ! --mark 0 -j RETURN\n"
        "-A PMIP6 -j PMIP6_QUEUE\n"
        "-A PMIP6_QUEUE -j NFQUEUE --queue-num 7 --queue-bypass\n"
        "-A PMIP6_DUP -j MARK --and-mark 0xffff\n" /* the original takes its own tunnel */
        "-I PREROUTING 1 -j PMIP6\n"
        "COMMIT\n";

/* The copy rule of one bicast slot, in and out. */
START_TEST(dup_scripts)
{
	struct in6_addr gw = addr("2001:db8:100:1::");
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_gt(kr_fc_ipt_dup_text(buf, sizeof(buf), 3, &gw, true), 0);
	ck_assert_str_eq(buf, "*mangle\n-I PMIP6_DUP 1 -m mark --mark 0x30000/0xffff0000 -j TEE "
	                      "--gateway 2001:db8:100:1::\nCOMMIT\n");
	ck_assert_int_gt(kr_fc_ipt_dup_text(buf, sizeof(buf), 3, &gw, false), 0);
	ck_assert_str_eq(buf, "*mangle\n-D PMIP6_DUP -m mark --mark 0x30000/0xffff0000 -j TEE "
	                      "--gateway 2001:db8:100:1::\nCOMMIT\n");
	errno = 0;
	ck_assert_int_eq(kr_fc_ipt_dup_text(buf, sizeof(buf), 0, &gw, true), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_ipt_dup_text(buf, 20, 3, &gw, true), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(chain_script)
{
	struct kr_fc_config open = { .queue_num = 7, .fail_open = true, .copy_range = 128 };
	struct kr_fc_config closed = { .queue_num = 65535, .fail_open = false, .copy_range = 128 };
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_eq(kr_fc_ipt_chain_text(buf, sizeof(buf), &open), (int)strlen(golden_chain));
	ck_assert_str_eq(buf, golden_chain);
	ck_assert_int_gt(kr_fc_ipt_chain_text(buf, sizeof(buf), &closed), 0);
	ck_assert_ptr_nonnull(strstr(buf, "-A PMIP6_QUEUE -j NFQUEUE --queue-num 65535\n"));
	/* every shorter buffer is refused, never cut */
	for (size_t len = 0; len <= strlen(golden_chain); len++) {
		errno = 0;
		ck_assert_int_eq(kr_fc_ipt_chain_text(buf, len, &open), -1);
		ck_assert_int_eq(errno, ENOSPC);
	}
}
END_TEST

START_TEST(prefix_scripts)
{
	struct kr_fc_prefix p = { .addr = addr("2001:db8:1::"), .len = 64 };
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_gt(kr_fc_ipt_prefix_text(buf, sizeof(buf), &p, true), 0);
	ck_assert_str_eq(buf, "add pmip6_mh 2001:db8:1::/64\n");
	ck_assert_int_gt(kr_fc_ipt_prefix_text(buf, sizeof(buf), &p, false), 0);
	ck_assert_str_eq(buf, "del pmip6_mh 2001:db8:1::/64\n");
	p.addr = addr("2001:db8:1::100");
	p.len = 128;
	ck_assert_int_gt(kr_fc_ipt_prefix_text(buf, sizeof(buf), &p, true), 0);
	ck_assert_str_eq(buf, "add pmip6_mh 2001:db8:1::100/128\n");
	/* hash:net takes lengths 1..128 */
	for (unsigned len = 0; len <= 129; len += 129) {
		p.len = (uint8_t)len;
		errno = 0;
		ck_assert_int_eq(kr_fc_ipt_prefix_text(buf, sizeof(buf), &p, true), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	p.len = 64;
	ck_assert_int_eq(kr_fc_ipt_prefix_text(buf, 20, &p, true), -1);
}
END_TEST

/* What lmad leaves pending while it answers PBUs goes in one script, in order. */
START_TEST(batch_script)
{
	struct kr_fc_change ch[] = {
		{ .p = { .addr = addr("2001:db8:1::"), .len = 64 }, .on = true },
		{ .p = { .addr = addr("2001:db8:2::"), .len = 64 }, .on = false },
	};
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_gt(kr_fc_ipt_batch_text(buf, sizeof(buf), ch, 2), 0);
	ck_assert_str_eq(buf, "add pmip6_mh 2001:db8:1::/64\n"
	                      "del pmip6_mh 2001:db8:2::/64\n");
	ck_assert_int_eq(kr_fc_ipt_batch_text(buf, 40, ch, 2), -1);
	ch[1].p.len = 200;
	ck_assert_int_eq(kr_fc_ipt_batch_text(buf, sizeof(buf), ch, 2), -1);
}
END_TEST

/* ip6tables-save (1.8.9, nf_tables) after a run that did not close, with a few things to leave
 * alone: another table's chain of the same name, a chain whose name starts like ours, a comment
 * that reads like a jump; and a rule someone added that goes to one of ours. */
static const char save_stale[] =
        "# Generated by ip6tables-save v1.8.9 (nf_tables) on Sun Nov 22 06:57:21 2026\n"
        "*filter\n"
        ":INPUT ACCEPT [0:0]\n"
        ":PMIP6 - [0:0]\n"
        "-A INPUT -j PMIP6\n"
        "COMMIT\n"
        "*mangle\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n"
        ":PMIP6 - [0:0]\n"
        ":PMIP6_QUEUE - [0:0]\n"
        ":PMIP6X - [0:0]\n"
        "-A PREROUTING -j PMIP6\n"
        "-A PREROUTING -m comment --comment \"-j PMIP6\" -j ACCEPT\n"
        "-A PREROUTING -j PMIP6X\n"
        "-A FORWARD -p tcp -g PMIP6_QUEUE\n"
        "-A PMIP6 -m connmark ! --mark 0x0 -j CONNMARK --restore-mark --nfmask 0xffffffff "
        "--ctmask 0xffffffff\n"
        "-A PMIP6 -m connmark ! --mark 0x0 -j RETURN\n"
        "-A PMIP6 -j PMIP6_QUEUE\n"
        "-A PMIP6_QUEUE -d 2001:db8:1::/64 -j NFQUEUE --queue-num 7 --queue-bypass\n"
        "COMMIT\n"
        "# Completed on Sun Nov 22 06:57:21 2026\n";

START_TEST(clean_script)
{
	static const char want[] = "*mangle\n"
	                           ":PMIP6 - [0:0]\n"
	                           ":PMIP6_QUEUE - [0:0]\n"
	                           "-D PREROUTING -j PMIP6\n"
	                           "-D FORWARD -p tcp -g PMIP6_QUEUE\n"
	                           "-X PMIP6\n"
	                           "-X PMIP6_QUEUE\n"
	                           "COMMIT\n";
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_eq(kr_fc_ipt_clean_text(buf, sizeof(buf), save_stale), (int)strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(kr_fc_ipt_clean_text(buf, strlen(want), save_stale), -1);
}
END_TEST

START_TEST(clean_script_nothing_ours)
{
	char buf[KR_FC_TEXT_MAX];

	ck_assert_int_eq(kr_fc_ipt_clean_text(buf, sizeof(buf), ""), 0);
	ck_assert_int_eq(kr_fc_ipt_clean_text(buf, sizeof(buf),
	                                      "*mangle\n:PREROUTING ACCEPT [0:0]\n"
	                                      ":PMIP6X - [0:0]\n-A PREROUTING -j PMIP6X\nCOMMIT\n"),
	                 0);
	/* our name in another table is someone else's */
	ck_assert_int_eq(kr_fc_ipt_clean_text(buf, sizeof(buf),
	                                      "*filter\n:PMIP6 - [0:0]\n-A INPUT -j PMIP6\nCOMMIT"),
	                 0);
}
END_TEST

START_TEST(clean_script_partial)
{
	char buf[KR_FC_TEXT_MAX];

	/* the queue chain alone (no trailing newline), and a jump to a chain already gone */
	ck_assert_int_gt(kr_fc_ipt_clean_text(buf, sizeof(buf), "*mangle\n:PMIP6_QUEUE - [0:0]"),
	                 0);
	ck_assert_str_eq(buf, "*mangle\n:PMIP6_QUEUE - [0:0]\n-X PMIP6_QUEUE\nCOMMIT\n");
	/* the bicast chain, with a copy rule, jumped to from ours */
	ck_assert_int_gt(kr_fc_ipt_clean_text(buf, sizeof(buf),
	                                      "*mangle\n:PMIP6 - [0:0]\n:PMIP6_DUP - [0:0]\n"
	                                      "-A PMIP6 -m connmark ! --mark 0x0/0xffff0000 -j "
	                                      "PMIP6_DUP\n-A PMIP6_DUP -m mark --mark "
	                                      "0x10000/0xffff0000 -j TEE --gateway 2001:db8::\n"
	                                      "COMMIT\n"),
	                 0);
	ck_assert_str_eq(buf, "*mangle\n:PMIP6 - [0:0]\n:PMIP6_DUP - [0:0]\n-X PMIP6\n"
	                      "-X PMIP6_DUP\nCOMMIT\n");
	ck_assert_int_gt(kr_fc_ipt_clean_text(buf, sizeof(buf),
	                                      "*mangle\n-A PREROUTING --jump PMIP6\nCOMMIT\n"),
	                 0);
	ck_assert_str_eq(buf, "*mangle\n-D PREROUTING --jump PMIP6\nCOMMIT\n");
}
END_TEST

/* --- /proc/net/netfilter/nfnetlink_queue --- */

/* As the kernel prints it: "%5u %6u %3u %2u %8u %5u %8u %8u %2d\n". */
static const char proc_queues[] = "    0  12345     0 2    65531     0     0        0  1\n"
                                  "    7   8024     2 2      128     3     4     1000  1\n"
                                  "65535 4294967295 1 2 128 0 0 4294967295 1\n";

START_TEST(kstats_found)
{
	struct kr_fc_kstats ks;

	ck_assert_int_eq(kr_fc_kstats_parse(proc_queues, 7, &ks), 0);
	ck_assert_uint_eq(ks.portid, 8024);
	ck_assert_uint_eq(ks.waiting, 2);
	ck_assert_uint_eq(ks.dropped, 3);
	ck_assert_uint_eq(ks.user_dropped, 4);
	ck_assert_uint_eq(ks.id_sequence, 1000);
	ck_assert_int_eq(kr_fc_kstats_parse(proc_queues, 65535, &ks), 0);
	ck_assert_uint_eq(ks.portid, 4294967295u);
	ck_assert_uint_eq(ks.id_sequence, 4294967295u);
	ck_assert_int_eq(kr_fc_kstats_parse(proc_queues, 0, &ks), 0);
	ck_assert_uint_eq(ks.portid, 12345);
}
END_TEST

START_TEST(kstats_missing_or_malformed)
{
	struct kr_fc_kstats ks;

	errno = 0;
	ck_assert_int_eq(kr_fc_kstats_parse(proc_queues, 8, &ks), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(kr_fc_kstats_parse("", 7, &ks), -1);
	/* a number too large, a field missing, one too many, a letter: the line is not trusted */
	ck_assert_int_eq(kr_fc_kstats_parse("7 1 0 2 128 0 0 4294967296 1\n", 7, &ks), -1);
	ck_assert_int_eq(kr_fc_kstats_parse("7 1 0 2 128 0 0 5\n", 7, &ks), -1);
	ck_assert_int_eq(kr_fc_kstats_parse("7 1 0 2 128 0 0 5 1 9\n", 7, &ks), -1);
	ck_assert_int_eq(kr_fc_kstats_parse("7 1 0 2 128 0 x 5 1\n", 7, &ks), -1);
	ck_assert_int_eq(kr_fc_kstats_parse("7 1 0 2 128 0 -1 5 1\n", 7, &ks), -1);
	/* a bad line does not hide a good one after it */
	ck_assert_int_eq(kr_fc_kstats_parse("7 x\n    7 9 0 2 128 0 0 5  1", 7, &ks), 0);
	ck_assert_uint_eq(ks.id_sequence, 5);
}
END_TEST

/* --- ctnetlink requests --- */

/* conntrack-tools 1.4.7, `conntrack -I -p udp -s 2001:db8:c::2 -d 2001:db8:1::100 --sport 5001
 * --dport 7002 -r 2001:db8:1::100 -q 2001:db8:c::2 --reply-port-src 7002 --reply-port-dst 5001
 * -t 30 -m 1002`, from `strace -e trace=sendto -xx`: the same message but for NLM_F_EXCL (ours
 * creates or updates) and the sequence number. */
static const uint8_t golden_udp_create[] = {
	/* nlmsghdr: length 188, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW,
	 * NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, seq 0, pid 0 */
	0xbc, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
	/* nfgenmsg: AF_INET6, NFNETLINK_V0, res_id 0 */
	0x0a, 0x00, 0x00, 0x00,
	/* CTA_TUPLE_ORIG | NLA_F_NESTED, 76 octets; CTA_TUPLE_IP | NLA_F_NESTED, 44 */
	0x4c, 0x00, 0x01, 0x80, 0x2c, 0x00, 0x01, 0x80,
	/*   CTA_IP_V6_SRC: 2001:db8:c::2 */
	0x14, 0x00, 0x03, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02,
	/*   CTA_IP_V6_DST: 2001:db8:1::100 */
	0x14, 0x00, 0x04, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00,
	/*   CTA_TUPLE_PROTO | NLA_F_NESTED, 28: CTA_PROTO_NUM 17 (3 octets of padding),
	 *   CTA_PROTO_SRC_PORT 5001, CTA_PROTO_DST_PORT 7002 (network order, 2 of padding) */
	0x1c, 0x00, 0x02, 0x80, 0x05, 0x00, 0x01, 0x00, 0x11, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02,
	0x00, 0x13, 0x89, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00, 0x1b, 0x5a, 0x00, 0x00,
	/* CTA_TUPLE_REPLY | NLA_F_NESTED, 76: the same, turned round */
	0x4c, 0x00, 0x02, 0x80, 0x2c, 0x00, 0x01, 0x80, 0x14, 0x00, 0x03, 0x00, 0x20, 0x01, 0x0d,
	0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x14, 0x00,
	0x04, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x1c, 0x00, 0x02, 0x80, 0x05, 0x00, 0x01, 0x00, 0x11, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x02, 0x00, 0x1b, 0x5a, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00, 0x13, 0x89, 0x00,
	0x00,
	/* CTA_TIMEOUT: 30 (seconds, network order) */
	0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x1e,
	/* CTA_MARK: 1002 */
	0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0xea
};

/* What a TCP connection adds: CTA_PROTOINFO | NLA_F_NESTED { CTA_PROTOINFO_TCP | NLA_F_NESTED {
 * CTA_PROTOINFO_TCP_STATE 3 (ESTABLISHED), CTA_PROTOINFO_TCP_FLAGS_ORIGINAL and _REPLY:
 * { flags, mask } = IP_CT_TCP_FLAG_BE_LIBERAL } } */
static const uint8_t golden_tcp_protoinfo[] = {
	/* CTA_PROTOINFO | NLA_F_NESTED, 32; CTA_PROTOINFO_TCP | NLA_F_NESTED, 28 */
	0x20, 0x00, 0x04, 0x80, 0x1c, 0x00, 0x01, 0x80,
	/* CTA_PROTOINFO_TCP_STATE: TCP_CONNTRACK_ESTABLISHED (3 octets of padding) */
	0x05, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00,
	/* CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, CTA_PROTOINFO_TCP_FLAGS_REPLY: flags 0x08, mask 0x08 */
	0x06, 0x00, 0x04, 0x00, 0x08, 0x08, 0x00, 0x00, 0x06, 0x00, 0x05, 0x00, 0x08, 0x08, 0x00,
	0x00
};

static struct kr_fc_tuple tuple(uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct kr_fc_tuple t = { .proto = proto, .sport = sport, .dport = dport };

	t.src = addr("2001:db8:c::2");
	t.dst = addr("2001:db8:1::100");
	return t;
}

static alignas(struct nlmsghdr) uint8_t msg[KR_MSG_MAX];

START_TEST(ct_create_udp)
{
	struct kr_fc_tuple t = tuple(IPPROTO_UDP, 5001, 7002);
	struct nlmsghdr *nlh = kr_fc_msg_ct_new(msg, &t, 1002, 30, true);

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(golden_udp_create));
	ck_assert_mem_eq(nlh, golden_udp_create, sizeof(golden_udp_create));
}
END_TEST

START_TEST(ct_create_tcp_is_established_and_liberal)
{
	struct kr_fc_tuple t = tuple(IPPROTO_TCP, 5001, 7002);
	struct nlmsghdr *nlh = kr_fc_msg_ct_new(msg, &t, 1002, 30, true);
	uint8_t want[sizeof(golden_udp_create)];

	/* the UDP message with TCP's protocol number and length, then the protocol's state */
	memcpy(want, golden_udp_create, sizeof(want));
	want[0] += sizeof(golden_tcp_protoinfo);
	want[76] = want[152] = IPPROTO_TCP;
	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_len, sizeof(want) + sizeof(golden_tcp_protoinfo));
	ck_assert_mem_eq(nlh, want, sizeof(want));
	ck_assert_mem_eq((uint8_t *)nlh + sizeof(want), golden_tcp_protoinfo,
	                 sizeof(golden_tcp_protoinfo));
}
END_TEST

static const struct nlattr *nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static const struct nlattr *top(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

/* Moving a ping: an update (no NLM_F_CREATE) naming an echo request and its reply. */
START_TEST(ct_set_mark_icmpv6)
{
	struct kr_fc_tuple t = tuple(IPPROTO_ICMPV6, 0x1234, 0x1234);
	struct nlmsghdr *nlh = kr_fc_msg_ct_new(msg, &t, 7, 0, false);
	const struct nlattr *orig, *reply, *p;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_ptr_null(top(nlh, CTA_TIMEOUT));
	ck_assert_ptr_null(top(nlh, CTA_PROTOINFO));
	ck_assert_uint_eq(ntohl(mnl_attr_get_u32(top(nlh, CTA_MARK))), 7);
	orig = nested(top(nlh, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO);
	reply = nested(top(nlh, CTA_TUPLE_REPLY), CTA_TUPLE_PROTO);
	ck_assert_ptr_nonnull(orig);
	ck_assert_ptr_nonnull(reply);
	ck_assert_uint_eq(mnl_attr_get_u8(nested(orig, CTA_PROTO_NUM)), IPPROTO_ICMPV6);
	ck_assert_uint_eq(mnl_attr_get_u8(nested(orig, CTA_PROTO_ICMPV6_TYPE)), 128);
	ck_assert_uint_eq(mnl_attr_get_u8(nested(orig, CTA_PROTO_ICMPV6_CODE)), 0);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(nested(orig, CTA_PROTO_ICMPV6_ID))), 0x1234);
	ck_assert_uint_eq(mnl_attr_get_u8(nested(reply, CTA_PROTO_ICMPV6_TYPE)), 129);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(nested(reply, CTA_PROTO_ICMPV6_ID))), 0x1234);
	p = nested(nested(top(nlh, CTA_TUPLE_REPLY), CTA_TUPLE_IP), CTA_IP_V6_SRC);
	ck_assert_mem_eq(mnl_attr_get_payload(p), &t.dst, 16);
}
END_TEST

START_TEST(ct_get_names_the_tuple)
{
	struct kr_fc_tuple t = tuple(IPPROTO_UDP, 5001, 7002);
	struct nlmsghdr *nlh = kr_fc_msg_ct_get(msg, &t);
	const struct nlattr *p;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_ptr_null(top(nlh, CTA_MARK));
	p = nested(top(nlh, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(nested(p, CTA_PROTO_SRC_PORT))), 5001);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(nested(p, CTA_PROTO_DST_PORT))), 7002);
	/* the tuple part is the creation's, byte for byte */
	ck_assert_mem_eq((uint8_t *)nlh + 16, golden_udp_create + 16, 4 + 76 + 76);
}
END_TEST

START_TEST(ct_requests_refuse_what_conntrack_cannot_name)
{
	struct kr_fc_tuple t = tuple(IPPROTO_GRE, 1, 2);

	ck_assert_int_eq(kr_fc_tuple_check(&t), -1);
	ck_assert_ptr_null(kr_fc_msg_ct_new(msg, &t, 1, 30, true));
	ck_assert_ptr_null(kr_fc_msg_ct_get(msg, &t));
	t = tuple(IPPROTO_ICMPV6, 1, 2); /* an echo identifier is both ports */
	ck_assert_ptr_null(kr_fc_msg_ct_new(msg, &t, 1, 30, false));
	t = tuple(IPPROTO_UDP, 1, 2); /* a creation needs a timeout */
	ck_assert_ptr_null(kr_fc_msg_ct_new(msg, &t, 1, 0, true));
	ck_assert_ptr_nonnull(kr_fc_msg_ct_new(msg, &t, 1, 0, false));
	t = tuple(IPPROTO_SCTP, 1, 2);
	ck_assert_ptr_nonnull(kr_fc_msg_ct_get(msg, &t));
}
END_TEST

/* --- a queued packet's tuple --- */

static size_t ip6(uint8_t *p, uint8_t nh)
{
	struct in6_addr s = addr("2001:db8:c::2"), d = addr("2001:db8:1::100");

	memset(p, 0, 40);
	p[0] = 0x60;
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, &s, 16);
	memcpy(p + 24, &d, 16);
	return 40;
}

/* Every cut of pkt short of its upper-layer header is refused, read from a copy of exactly that
 * length (so that a read past it is caught under AddressSanitizer). */
static void assert_truncations_refused(const uint8_t *pkt, size_t need)
{
	struct kr_fc_tuple t;
	bool rst;

	for (size_t len = 0; len < need; len++) {
		uint8_t *cut = malloc(len + 1);

		ck_assert_ptr_nonnull(cut);
		memcpy(cut, pkt, len);
		ck_assert_msg(kr_fc_pkt_tuple(cut, len, &t, &rst) == -1, "length %zu accepted",
		              len);
		free(cut);
	}
}

START_TEST(pkt_udp)
{
	uint8_t p[64];
	size_t n = ip6(p, IPPROTO_UDP);
	struct kr_fc_tuple t, want = tuple(IPPROTO_UDP, 5001, 7002);
	bool rst = true;

	memcpy(p + n, (uint8_t[]){ 0x13, 0x89, 0x1b, 0x5a, 0, 16, 0, 0 }, 8);
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 8, &t, &rst), 0);
	ck_assert_mem_eq(&t.src, &want.src, 16);
	ck_assert_mem_eq(&t.dst, &want.dst, 16);
	ck_assert_uint_eq(t.proto, IPPROTO_UDP);
	ck_assert_uint_eq(t.sport, 5001);
	ck_assert_uint_eq(t.dport, 7002);
	ck_assert(!rst);
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 4, &t, &rst), 0); /* the ports are enough */
	assert_truncations_refused(p, n + 4);
}
END_TEST

/* Hop-by-hop options (8 octets), destination options (16), then TCP with RST. */
START_TEST(pkt_tcp_after_extension_headers)
{
	uint8_t p[128] = { 0 };
	size_t n = ip6(p, IPPROTO_HOPOPTS);
	struct kr_fc_tuple t;
	bool rst = false;

	p[n] = IPPROTO_DSTOPTS;
	p[n + 1] = 0;
	n += 8;
	p[n] = IPPROTO_TCP;
	p[n + 1] = 1;
	n += 16;
	memcpy(p + n, (uint8_t[]){ 0x9c, 0x41, 0x17, 0x71 }, 4);
	p[n + 13] = 0x14; /* ACK | RST */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 20, &t, &rst), 0);
	ck_assert_uint_eq(t.proto, IPPROTO_TCP);
	ck_assert_uint_eq(t.sport, 40001);
	ck_assert_uint_eq(t.dport, 6001);
	ck_assert(rst);
	p[n + 13] = 0x10;
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 20, &t, &rst), 0);
	ck_assert(!rst);
	assert_truncations_refused(p, n + 4);
	/* a header length that runs past the packet */
	p[41] = 200;
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 20, &t, &rst), -1);
}
END_TEST

START_TEST(pkt_icmpv6_echo)
{
	uint8_t p[64];
	size_t n = ip6(p, IPPROTO_ICMPV6);
	struct kr_fc_tuple t;
	bool rst;

	memcpy(p + n, (uint8_t[]){ 128, 0, 0xab, 0xcd, 0x12, 0x34, 0, 1 }, 8);
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 8, &t, &rst), 0);
	ck_assert_uint_eq(t.sport, 0x1234);
	ck_assert_uint_eq(t.dport, 0x1234);
	assert_truncations_refused(p, n + 6);
	p[n] = 129; /* a reply, an error: not what starts a connection */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 8, &t, &rst), -1);
	p[n] = 1;
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 8, &t, &rst), -1);
	p[n] = 128;
	p[n + 1] = 1;
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 8, &t, &rst), -1);
}
END_TEST

START_TEST(pkt_fragments)
{
	uint8_t p[64];
	size_t n = ip6(p, IPPROTO_FRAGMENT);
	struct kr_fc_tuple t;
	bool rst;

	memcpy(p + n, (uint8_t[]){ IPPROTO_UDP, 0, 0x00, 0x01, 1, 2, 3, 4 }, 8); /* first, M */
	memcpy(p + n + 8, (uint8_t[]){ 0x13, 0x89, 0x1b, 0x5a }, 4);
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 12, &t, &rst), 0);
	ck_assert_uint_eq(t.dport, 7002);
	p[n + 3] = 0x08; /* offset 1: no ports in it */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, n + 12, &t, &rst), -1);
}
END_TEST

START_TEST(pkt_refused)
{
	uint8_t p[40 + 17 * 8 + 8] = { 0 };
	size_t n = ip6(p, IPPROTO_UDP);
	struct kr_fc_tuple t;
	bool rst;

	ck_assert_int_eq(kr_fc_pkt_tuple(NULL, 48, &t, &rst), -1);
	p[0] = 0x45; /* IPv4 */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, sizeof(p), &t, &rst), -1);
	ip6(p, 50); /* ESP: the ports are encrypted */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, sizeof(p), &t, &rst), -1);
	ip6(p, 59); /* no next header */
	ck_assert_int_eq(kr_fc_pkt_tuple(p, sizeof(p), &t, &rst), -1);
	/* 17 destination options headers: longer than any real chain */
	ip6(p, IPPROTO_DSTOPTS);
	for (int i = 0; i < 17; i++, n += 8)
		p[n] = i < 16 ? IPPROTO_DSTOPTS : IPPROTO_UDP;
	ck_assert_int_eq(kr_fc_pkt_tuple(p, sizeof(p), &t, &rst), -1);
}
END_TEST

/* --- the public calls' argument checks --- */

static struct kr *fake_kr(void)
{
	struct kr *k = calloc(1, sizeof(*k));

	ck_assert_ptr_nonnull(k);
	k->ops = &kr_seg6_ops;
	return k;
}

START_TEST(open_checks_configuration)
{
	struct kr_fc_config c = { .queue_num = 1, .copy_range = 39 };
	struct kr *k = fake_kr();
	char err[128] = "";

	errno = 0;
	ck_assert_int_eq(kr_fc_open(k, &c, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "copy range 39"));
	ck_assert_ptr_null(k->fc);
	c.copy_range = 65536;
	ck_assert_int_eq(kr_fc_config_check(&c, err, sizeof(err)), -1);
	c.copy_range = 65535;
	ck_assert_int_eq(kr_fc_config_check(&c, err, sizeof(err)), 0);
	c.copy_range = 40;
	ck_assert_int_eq(kr_fc_config_check(&c, err, sizeof(err)), 0);
	errno = 0;
	ck_assert_int_eq(kr_fc_open(NULL, &c, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_open(k, NULL, err, sizeof(err)), -1);
	/* open already: refused before anything is touched */
	k->fc = calloc(1, sizeof(*k->fc));
	ck_assert_ptr_nonnull(k->fc);
	k->fc->acct_saved = -1;
	errno = 0;
	ck_assert_int_eq(kr_fc_open(k, &c, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	kr_fc_close(k); /* nothing installed, no socket: nothing to run */
	ck_assert_ptr_null(k->fc);
	free(k);
}
END_TEST

START_TEST(calls_without_flow_steering)
{
	struct in6_addr a = addr("2001:db8:1::"), b = addr("2001:db8:c::2");
	struct kr *k = fake_kr();
	struct kr_fc_stats st;
	uint64_t p, o;

	errno = 0;
	ck_assert_int_eq(kr_fc_queue_prefix(k, &a, 64, true), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_queue_fd(k), -1);
	ck_assert_int_eq(kr_fc_events_fd(k), -1);
	ck_assert_int_eq(kr_fc_queue_fd(NULL), -1);
	ck_assert_int_eq(kr_fc_ct_set_mark(k, &b, &a, IPPROTO_UDP, 1, 2, 3), -1);
	ck_assert_int_eq(kr_fc_ct_counters(k, &b, &a, IPPROTO_UDP, 1, 2, &p, &o), -1);
	ck_assert_int_eq(kr_fc_ct_set_mark(NULL, &b, &a, IPPROTO_UDP, 1, 2, 3), -1);
	memset(&st, 0xff, sizeof(st));
	kr_fc_get_stats(k, &st);
	ck_assert_uint_eq(st.queued, 0);
	ck_assert_uint_eq(st.kernel_queued, 0);
	kr_fc_events_read(k, NULL, NULL);
	kr_fc_close(k);
	kr_fc_close(NULL);
	free(k);
}
END_TEST

static uint32_t never(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	(void)pkt;
	(void)len;
	ck_abort_msg("no packet expected");
	return 0;
}

/* With a fake flow steering state (no socket, no chain): what is refused before the kernel. */
START_TEST(calls_check_arguments)
{
	struct in6_addr a = addr("2001:db8:1::1"), b = addr("2001:db8:c::2");
	struct kr *k = fake_kr();
	uint64_t p, o;

	k->fc = calloc(1, sizeof(*k->fc));
	ck_assert_ptr_nonnull(k->fc);
	k->fc->acct_saved = -1;
	k->fc->pfx = calloc(1, sizeof(*k->fc->pfx));
	ck_assert_ptr_nonnull(k->fc->pfx);
	k->fc->pfx[0] = (struct kr_fc_prefix){ .addr = addr("2001:db8:1::"), .len = 64 };
	k->fc->npfx = k->fc->pfx_cap = 1;
	errno = 0; /* host bits do not make another prefix */
	ck_assert_int_eq(kr_fc_queue_prefix(k, &a, 64, true), -1);
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_int_eq(kr_fc_queue_prefix(k, &a, 63, false), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(kr_fc_queue_prefix(k, &a, 129, true), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_queue_prefix(k, NULL, 64, true), -1);
	errno = 0;
	ck_assert_int_eq(kr_fc_ct_set_mark(k, &b, &a, IPPROTO_GRE, 1, 2, 3), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_ct_set_mark(k, &b, &a, IPPROTO_ICMPV6, 1, 2, 3), -1);
	ck_assert_int_eq(kr_fc_ct_set_mark(k, NULL, &a, IPPROTO_UDP, 1, 2, 3), -1);
	ck_assert_int_eq(kr_fc_ct_counters(k, &b, &a, IPPROTO_UDP, 1, 2, NULL, &o), -1);
	ck_assert_int_eq(kr_fc_ct_counters(k, &b, &a, IPPROTO_GRE, 1, 2, &p, &o), -1);
	errno = 0;
	ck_assert_int_eq(kr_fc_queue_read(k, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(kr_fc_queue_read(NULL, never, NULL), -1);
	ck_assert_int_eq(kr_fc_queue_fd(k), -1); /* no socket */
	kr_fc_close(k);
	ck_assert_ptr_null(k->fc);
	free(k);
}
END_TEST

static Suite *kr_fc_suite(void)
{
	Suite *s = suite_create("kr_fc");
	TCase *ipt = tcase_create("ip6tables");
	TCase *proc = tcase_create("proc");
	TCase *ct = tcase_create("ctnetlink");
	TCase *pkt = tcase_create("packet");
	TCase *api = tcase_create("api");

	tcase_add_test(ipt, chain_script);
	tcase_add_test(ipt, dup_scripts);
	tcase_add_test(ipt, prefix_scripts);
	tcase_add_test(ipt, batch_script);
	tcase_add_test(ipt, clean_script);
	tcase_add_test(ipt, clean_script_nothing_ours);
	tcase_add_test(ipt, clean_script_partial);
	tcase_add_test(proc, kstats_found);
	tcase_add_test(proc, kstats_missing_or_malformed);
	tcase_add_test(ct, ct_create_udp);
	tcase_add_test(ct, ct_create_tcp_is_established_and_liberal);
	tcase_add_test(ct, ct_set_mark_icmpv6);
	tcase_add_test(ct, ct_get_names_the_tuple);
	tcase_add_test(ct, ct_requests_refuse_what_conntrack_cannot_name);
	tcase_add_test(pkt, pkt_udp);
	tcase_add_test(pkt, pkt_tcp_after_extension_headers);
	tcase_add_test(pkt, pkt_icmpv6_echo);
	tcase_add_test(pkt, pkt_fragments);
	tcase_add_test(pkt, pkt_refused);
	tcase_add_test(api, open_checks_configuration);
	tcase_add_test(api, calls_without_flow_steering);
	tcase_add_test(api, calls_check_arguments);
	suite_add_tcase(s, ipt);
	suite_add_tcase(s, proc);
	suite_add_tcase(s, ct);
	suite_add_tcase(s, pkt);
	suite_add_tcase(s, api);
	return s;
}

CHECK_MAIN(kr_fc_suite)
