#!/usr/bin/python3
"""pba_scapy.py: an independent Proxy Binding Acknowledgement responder for the namespace tests.

It plays the LMA for one Proxy Binding Update: it waits on a raw IPPROTO_MH socket bound to
LMA_ADDR for a PBU (Mobility Header type 5 with the P flag), decodes it with scapy, prints its
fields, and answers it with a PBA built with scapy, not with the project's codec: scapy's
MIP6MH_BA and MIP6OptMNID, and MIP6OptUnknown for the RFC 5213 options scapy has no class for
(22-27) and for the MuHo option (type 18 by default). As in pbu_scapy.py every option sits at
the alignment RFC 5213 section 8 gives it (HNP and MuHo 8n+4, MN-LL-ID and Timestamp 8n+2),
counted from the start of the Mobility Header, with Pad1/PadN computed here (scapy's "autopad"
is off), and the message is padded to a multiple of 8 octets.

The PBA echoes the PBU's MN Identifier, Handoff Indicator, Access Technology Type, MN
Link-layer Identifier and Timestamp; it carries --hnp when the PBU asks for ALL_ZERO (the PBU's
own prefixes otherwise) and, when the PBU carries a MuHo option, one MuHo option per --muho (one
empty MuHo option if none is given).

Output, one key=value line per field:

    ready=1 (once its socket is open), then for each PBU: pbu=K (1, 2, ...) pbu_seq=
    pbu_lifetime= mn_id= hnp=... muho_count= hi= att= llid= timestamp_raw=, then answered=1
    status= seq= sent=<the PBA in hex> (or answered=0), end=K

or "timeout=1" (exit status 1) when a PBU did not come. Exit status 2 for a usage error.

    pba_scapy.py LMA_ADDR [--status N[,N]...] [--hnp P/L]... [--muho P/L]... [--lifetime S]
                 [--muho-type N] [--timeout S] [--mnid NAI] [--count K] [--omit llid|hnp]...
                 [--seq N[,N]...] [--echo-att N]

--count K answers K PBUs in turn, the K-th with the K-th --status (the last one repeats; "-"
leaves that PBU unanswered, to see that it came); --mnid takes only that MN's PBUs (others are
skipped). What the PBA does differently from a faithful answer, to see how the MAG takes it:
--omit llid leaves the MN Link-layer Identifier option out, --omit hnp every Home Network Prefix
option; --hnp ::/0 answers an ALL_ZERO request with an all-zero prefix; --seq gives the K-th PBA
that sequence number instead of the PBU's ("-" the PBU's, "+N" the PBU's plus N; status 135
carries the LMA's last accepted number, RFC 6275 §6.1.8); --echo-att echoes another Access
Technology Type.
"""

import argparse
import ipaddress
import logging
import select
import socket
import struct
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.layers.inet6 import (  # noqa: E402  (after the logging set-up)
    IPv6,
    MIP6MH_BA,
    MIP6MH_BU,
    MIP6OptMNID,
    MIP6OptUnknown,
    Pad1,
    PadN,
)

IPPROTO_MH = 135
MH_TYPE_BU = 5
BU_FLAG_P = 0x0200


def parse_args(argv):
    p = argparse.ArgumentParser(prog="pba_scapy.py", description=__doc__.split("\n")[0])
    p.add_argument("lma")
    p.add_argument("--status", default="0")
    p.add_argument("--hnp", action="append", default=[])
    p.add_argument("--muho", action="append", default=[])
    p.add_argument("--lifetime", type=int)
    p.add_argument("--muho-type", type=int, default=18)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--mnid")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--omit", action="append", default=[], choices=["llid", "hnp"])
    p.add_argument("--seq", default="-")
    p.add_argument("--echo-att", type=int)
    a = p.parse_args(argv)
    try:
        a.statuses = [None if x == "-" else int(x) for x in a.status.split(",")]
        a.seqs = [None if x == "-" else x for x in a.seq.split(",")]
        [int(x) for x in a.seqs if x is not None]  # a ValueError for a bad one
        a.lma_addr = str(ipaddress.IPv6Address(a.lma))
        a.hnps = [ipaddress.IPv6Network(h, strict=False) for h in a.hnp] or \
            [ipaddress.IPv6Network("2001:db8:1:1::/64")]
        a.muhos = [ipaddress.IPv6Network(m, strict=False) for m in a.muho]
    except ValueError as e:
        p.error(str(e))
    return a


def prefix_body(net):
    """Reserved, prefix length, prefix: the body of the HNP and of the MuHo option."""
    return struct.pack("!BB", 0, net.prefixlen) + net.network_address.packed


def body_prefix(d):
    return ipaddress.IPv6Network("%s/%d" % (ipaddress.IPv6Address(d[2:18]), d[1]))


class Options:
    """Mobility options laid out at their alignment, from Mobility Header offset 12 (the end of
    the PBA's fixed part, as of the PBU's)."""

    def __init__(self, start):
        self.pos = start
        self.list = []

    def pad(self, n):
        if n == 1:
            self.list.append(Pad1())
        elif n > 1:
            self.list.append(PadN(optdata=b"\x00" * (n - 2)))
        self.pos += n

    def add(self, opt, x=0, y=0):
        if x:
            self.pad((y - self.pos) % x)
        self.list.append(opt)
        self.pos += len(bytes(opt))

    def finish(self):
        self.pad(-self.pos % 8)
        return self.list


class Pbu:
    """What the PBA echoes, taken from the PBU scapy decoded."""

    def __init__(self, bu, muho_type):
        self.seq = bu.seq
        self.flags = int(bu.flags)
        self.lifetime = bu.mhtime * 4
        self.mnid = None
        self.hnps, self.muhos = [], []
        self.hi = self.att = self.llid = self.ts = None
        for o in bu.options:
            if isinstance(o, MIP6OptMNID):
                self.mnid = (o.subtype, bytes(o.id))
            elif isinstance(o, MIP6OptUnknown):
                self.take(o.otype, bytes(o.odata), muho_type)

    def take(self, t, d, muho_type):
        if t == 22 and len(d) == 18:
            self.hnps.append(body_prefix(d))
        elif t == muho_type and len(d) == 18:
            self.muhos.append(body_prefix(d))
        elif t == 23 and len(d) == 2:
            self.hi = d[1]
        elif t == 24 and len(d) == 2:
            self.att = d[1]
        elif t == 25 and len(d) >= 3:
            self.llid = d[2:]
        elif t == 27 and len(d) == 8:
            self.ts = struct.unpack("!Q", d)[0]

    def report(self):
        print("pbu_seq=%d" % self.seq)
        print("pbu_lifetime=%d" % self.lifetime)
        if self.mnid:
            print("mn_id=%s" % self.mnid[1].decode("ascii", "replace"))
        for h in self.hnps:
            print("hnp=%s" % h)
        print("muho_count=%d" % len(self.muhos))
        print("hi=%s" % self.hi)
        print("att=%s" % self.att)
        print("llid=%s" % (":".join("%02x" % b for b in self.llid) if self.llid else None))
        print("timestamp_raw=%s" % self.ts)


def build_pba(a, status, seq, pbu, src, dst):
    opts = Options(12)
    if pbu.mnid:
        opts.add(MIP6OptMNID(subtype=pbu.mnid[0], id=pbu.mnid[1]))
    all_zero = all(h.prefixlen == 0 and h.network_address.packed == bytes(16) for h in pbu.hnps)
    for net in [] if "hnp" in a.omit else a.hnps if status == 0 and all_zero else pbu.hnps:
        opts.add(MIP6OptUnknown(otype=22, odata=prefix_body(net)), 8, 4)
    if pbu.hi is not None:
        opts.add(MIP6OptUnknown(otype=23, odata=struct.pack("!BB", 0, pbu.hi)))
    att = pbu.att if a.echo_att is None else a.echo_att
    if att is not None:
        opts.add(MIP6OptUnknown(otype=24, odata=struct.pack("!BB", 0, att)))
    if pbu.llid is not None and "llid" not in a.omit:
        opts.add(MIP6OptUnknown(otype=25, odata=b"\x00\x00" + pbu.llid), 8, 2)
    if pbu.ts is not None:
        opts.add(MIP6OptUnknown(otype=27, odata=struct.pack("!Q", pbu.ts)), 8, 2)
    if status == 0 and pbu.muhos:
        for net in a.muhos or [ipaddress.IPv6Network("::/0")]:
            opts.add(MIP6OptUnknown(otype=a.muho_type, odata=prefix_body(net)), 8, 4)
    lifetime = pbu.lifetime if a.lifetime is None else a.lifetime
    ba = MIP6MH_BA(status=status, flags="P", seq=seq,
                   mhtime=lifetime // 4 if status == 0 else 0, autopad=0,
                   options=opts.finish())
    # The checksum is scapy's (IPv6 pseudo-header); the kernel's raw MH socket fills it again.
    return bytes(IPv6(src=src, dst=dst) / ba)[40:]


def receive_pbu(sock, a):
    end = time.monotonic() + a.timeout
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None, None
        data, frm = sock.recvfrom(4096)
        if len(data) < 12 or data[2] != MH_TYPE_BU or not struct.unpack("!H", data[8:10])[0] \
                & BU_FLAG_P:
            continue
        pbu = Pbu(MIP6MH_BU(data), a.muho_type)
        if a.mnid is None or (pbu.mnid and pbu.mnid[1] == a.mnid.encode()):
            return pbu, frm[0].split("%")[0]


def nth(values, k):
    """The K-th of a --status or --seq list (0 first), its last value repeating."""
    return values[min(k, len(values) - 1)]


def answer(sock, a, k, pbu, mag):
    status = nth(a.statuses, k)
    if status is None:
        print("answered=0")
        return
    seq = nth(a.seqs, k)
    if seq is None:
        seq = pbu.seq
    elif seq.startswith("+"):  # relative to the PBU's: another number, whatever the PBU's
        seq = (pbu.seq + int(seq)) & 0xFFFF
    else:
        seq = int(seq)
    pkt = build_pba(a, status, seq, pbu, a.lma_addr, mag)
    sock.sendto(pkt, (mag, 0))
    print("answered=1")
    print("status=%d" % status)
    print("seq=%d" % seq)
    print("sent=%s" % pkt.hex())


def main(argv):
    a = parse_args(argv)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    sock.bind((a.lma_addr, 0))
    print("ready=1", flush=True)
    for k in range(a.count):
        pbu, mag = receive_pbu(sock, a)
        if pbu is None:
            print("timeout=1")
            return 1
        print("pbu=%d" % (k + 1))
        pbu.report()
        answer(sock, a, k, pbu, mag)
        print("end=%d" % (k + 1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
