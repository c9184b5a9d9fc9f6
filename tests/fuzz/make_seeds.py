#!/usr/bin/env python3
"""make_seeds.py: writes the binary seed inputs of tests/fuzz/seeds/ (control-socket requests,
packets for the flow classifier, Ethernet frames with Router Solicitations), so that they can be
read and changed here rather than as opaque files. Run from the top of the tree; the output is
checked in. The text seeds (configurations, lease and state files) are written by hand."""
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def put(target, name, data):
    os.makedirs(os.path.join(TOP, target), exist_ok=True)
    with open(os.path.join(TOP, target, name), "wb") as f:
        f.write(data)


# --- control socket: struct ctl_hdr (magic, version, type, len) in host (little-endian) order
def req(t, payload=b""):
    return struct.pack("<IHHI", 0x504D4950, 1, t, len(payload)) + payload


# struct ctl_policy: id, MN-ID, have (0x02 dst, 0x04 proto), src_len, dst_len, proto, src, dst,
# source and destination port ranges, (2 octets of padding), flow label, traffic class, target
# (1: access technology), its value, LLID length, LLID, MAG: 360 octets.
POLICY = struct.pack("<I254sBBBB16s16sHHHH2xIBBBB32s16s", 0, b"mn1@example.org", 0x06, 0, 48,
                     17, b"", bytes.fromhex("20010db8010000000000000000000000"), 0, 65535,
                     5001, 5010, 0, 0, 1, 7, 0, b"", b"")
put("fuzz_ctl", "show-bindings", req(1))
put("fuzz_ctl", "show-bindings-mn", req(1, b"mn1@example.org\0"))
put("fuzz_ctl", "show-stats", req(2))
put("fuzz_ctl", "deregister", req(3, b"mn1@example.org\0"))
put("fuzz_ctl", "show-flows", req(4))
# struct ctl_flow_move: flow id, target (3: binding), att, MAG, (padding), binding id
put("fuzz_ctl", "flow-move", req(5, struct.pack("<IBB16s2xQ", 7, 3, 0, b"", 1)))
# flow 1 of fuzz_ctl's lmad (to mn1 via MAG ::1, access technology 4) to its other binding (5)
put("fuzz_ctl", "flow-move-att", req(5, struct.pack("<IBB16s2xQ", 1, 1, 5, b"", 0)))
put("fuzz_ctl", "policy-add", req(6, struct.pack("<I", 0) + POLICY))
put("fuzz_ctl", "policy-del", req(7, struct.pack("<I", 3)))
put("fuzz_ctl", "policy-list", req(8))
put("fuzz_ctl", "pipelined", req(1) + req(2) + req(8) + req(1, b"x\0"))
put("fuzz_ctl", "bad-magic", struct.pack("<IHHI", 0xDEADBEEF, 1, 1, 0))
put("fuzz_ctl", "too-long", struct.pack("<IHHI", 0x504D4950, 1, 1, 4097))
put("fuzz_ctl", "partial", req(2)[:7])


# --- IPv6 packets as NFQUEUE hands them to lmad (lma/fc.c)
def ip6(nh, payload, plen=None):
    src = bytes.fromhex("20010db8010000000000000000000001")
    dst = bytes.fromhex("20010db80c0000000000000000000005")
    plen = len(payload) if plen is None else plen
    return struct.pack(">IHBB", 0x60012345, plen, nh, 64) + src + dst + payload


udp = struct.pack(">HHHH", 40000, 5001, 12, 0) + b"abcd"
tcp = struct.pack(">HHIIBBHHH", 40000, 443, 1, 0, 0x50, 2, 65535, 0, 0)
put("fuzz_fc_packet", "udp", ip6(17, udp))
put("fuzz_fc_packet", "tcp", ip6(6, tcp))
put("fuzz_fc_packet", "icmpv6-echo", ip6(58, struct.pack(">BBHHH", 128, 0, 0, 1, 1)))
hbh = struct.pack(">BB", 60, 0) + b"\x01\x04\0\0\0\0"  # hop-by-hop, PadN, then dest opts
dst_opts = struct.pack(">BB", 17, 0) + b"\x01\x04\0\0\0\0"
put("fuzz_fc_packet", "ext-headers-udp", ip6(0, hbh + dst_opts + udp))
put("fuzz_fc_packet", "first-fragment", ip6(44, struct.pack(">BBHI", 17, 0, 1, 99) + udp))
put("fuzz_fc_packet", "later-fragment", ip6(44, struct.pack(">BBHI", 17, 0, 0x100, 99) + udp))
put("fuzz_fc_packet", "jumbo", ip6(17, udp, plen=0))
put("fuzz_fc_packet", "truncated-tcp", ip6(6, tcp[:10]))


# --- Ethernet frames with a Router Solicitation (mag/nd.c)
def rs(options, hlim=255, src=b"\xfe\x80" + b"\0" * 13 + b"\x01"):
    icmp = struct.pack(">BBHI", 133, 0, 0, 0) + options
    ip = struct.pack(">IHBB", 0x60000000, len(icmp), 58, hlim) + src
    ip += bytes.fromhex("ff020000000000000000000000000002")
    eth = bytes.fromhex("333300000002" "02000000000a") + struct.pack(">H", 0x86DD)
    return eth + ip + icmp


sllao = struct.pack(">BB", 1, 1) + bytes.fromhex("02000000000a")
put("fuzz_nd", "rs", rs(b""))
put("fuzz_nd", "rs-sllao", rs(sllao))
put("fuzz_nd", "rs-unspecified-source", rs(b"", src=b"\0" * 16))
put("fuzz_nd", "rs-unknown-option", rs(struct.pack(">BB", 200, 1) + b"\0" * 6 + sllao))
put("fuzz_nd", "rs-zero-length-option", rs(struct.pack(">BB", 1, 0) + b"\0" * 6))
put("fuzz_nd", "rs-hoplimit-64", rs(b"", hlim=64))
put("fuzz_nd", "rs-eth-padding", rs(b"") + b"\0" * 8)


# --- programs for the LMA engine (fuzz_lma_engine.c): step 0 a PBU (who: MAG in the high
# nibble, MN in the low; flags: 1 de-registration, 2 MuHo, HI, access technology, 0x80 LLID; ask:
# which prefix; sequence; lifetime unless a de-registration), 1 raw octets, 2 time in 100 ms,
# 3 a kernel refusal (1 the next tunnel, 0 the next route)
def pbu(who, flags, ask, seq, life=150):
    b = bytes([0, who, flags, ask, seq >> 8, seq & 255])
    return b if flags & 1 else b + bytes([life])


def later(units):
    return bytes([2, units >> 8, units & 255])


put("fuzz_lma_engine", "register-renew-expire",
    pbu(0x01, 0, 0, 1) + later(100) + pbu(0x01, 0, 0, 2) + later(7000))
put("fuzz_lma_engine", "handoff",
    pbu(0x01, 0x80 | 2 << 2, 0, 1) + pbu(0x11, 0x80 | 2 << 2, 0, 1) + later(30))
put("fuzz_lma_engine", "dereg", pbu(0x01, 0, 0, 1) + pbu(0x01, 1, 0, 2) + later(50))
put("fuzz_lma_engine", "muho-two-links",
    pbu(0x02, 0x82, 0, 1) + pbu(0x13, 0x82 | 1 << 5, 0, 1) + later(20))
put("fuzz_lma_engine", "static-prefix", pbu(0x08, 0, 3, 1) + later(10))
put("fuzz_lma_engine", "refusals",
    bytes([3, 1]) + pbu(0x01, 0, 0, 1) + bytes([3, 0]) + pbu(0x02, 0, 0, 1) + later(10))
put("fuzz_lma_engine", "pool-exhaustion",
    b"".join(pbu(i & 7, 0x80, 0, 1) for i in range(8)) +
    b"".join(pbu(0x10 | i & 7, 0x80, 0, 1) for i in range(8)))
put("fuzz_lma_engine", "raw-garbage", bytes([1, 0, 8, 59, 1, 5, 0, 0, 0, 0, 0]))


# --- programs for the MAG engine (fuzz_mag_engine.c): 0 an RS (MAC 1 + low 3 bits; link: bits
# 3-4, 0 wlan0, 1 eth9, 3 none; 0x40 from ::), 1 a PBA (which PBU back from the last, and with
# a high nibble the spoiled echoes of 'how'; status index; lifetime; own and MuHo prefixes: count
# in the low 2 bits, first of the pool's prefixes above), 2 an UPN (reason - 1 in the low 2
# bits, MN above, 0x20 no MN-ID, 0x40 D, 0x80 A; sequence; MuHo prefixes), 3 a Heartbeat (flags,
# sequence), 4 raw octets (1: not from the LMA), 5 a link event (1 carrier, 2 eth9), 6 time in
# 100 ms, 7 a reload (configuration 0 or 1), 8 de-registration of mnN, 9 a route refused, 10
# the orderly exit.
def rs(mac, link=0):
    return bytes([0, (mac - 1) | link << 3])


def pba(status=0, life=10, hnp=0x01, muho=0, which=0, how=0):
    return bytes([1, which, how, status, life, hnp, muho])


def upn(reason, mn, flags=0x80, seq=1, muho=0x02):
    return bytes([2, (reason - 1) | (mn - 1) << 2 | flags, seq >> 8, seq & 255, muho])


def mlater(units):
    return bytes([6, units >> 8, units & 255])


ACCEPT, REJECT_155, REJECT_135 = 0, 11, 6
put("fuzz_mag_engine", "attach-renew-expire",
    rs(1) + pba() + mlater(310) + pba() + mlater(2000))
put("fuzz_mag_engine", "multihomed",
    rs(1) + pba(muho=0x00) + rs(2, 1) + pba(hnp=0x05, muho=0x01) +
    upn(2, 1, muho=0x0a) + bytes([5, 2]) + mlater(50) + bytes([5, 3]) + mlater(50))
put("fuzz_mag_engine", "rejections",
    rs(3) + pba(REJECT_155) + mlater(100) + rs(3) + pba(REJECT_135) + pba() + mlater(10))
put("fuzz_mag_engine", "echo-mismatch", rs(1) + pba(which=0x10, how=0x02) + mlater(600))
put("fuzz_mag_engine", "upn-heartbeat",
    rs(4) + pba() + upn(1, 3, seq=7) + upn(1, 3, flags=0xc0, seq=7) + upn(3, 3) +
    bytes([3, 0, 0, 9, 3, 1, 0, 9]) + bytes([4, 0, 8, 59, 1, 42, 0, 0, 0, 0, 0]))
put("fuzz_mag_engine", "reload-dereg-leave",
    rs(4) + pba() + bytes([7, 1]) + mlater(100) + rs(6) + pba() + bytes([8, 1]) +
    bytes([9]) + rs(1) + pba() + bytes([7, 0, 10]) + mlater(100))
