#!/usr/bin/python3
"""pbu_scapy.py: an independent Proxy Binding Update sender for the namespace tests.

The PBU is built with scapy (python3-scapy), not with the project's codec: scapy's MIP6MH_BU
and MIP6OptMNID, and MIP6OptUnknown for the RFC 5213 options scapy has no class for (22-27)
and for the MuHo option. Every option is placed at the alignment RFC 5213 section 8 gives it
(HNP 8n+4, MN-LL-ID 8n+2, Timestamp 8n+2, MuHo as the HNP), counted from the start of the
Mobility Header, with Pad1/PadN, and the message is padded to a multiple of 8 octets; the
padding is computed here, scapy's own "autopad" is off.

It sends the PBU from the namespace it runs in over a raw IPPROTO_MH socket, waits for the
Proxy Binding Acknowledgement (Mobility Header type 6 with the P flag, from LMA_ADDR, with the
PBU's sequence number), decodes it with scapy and prints one key=value line per field, after
the time from the first PBU sent to that answer:

    answer_ms= status= seq= lifetime= flags= mn_id_subtype= mn_id= hnp_count= hnp=... muho_count=
    muho=... hi= att= llid= lla= timestamp_raw= options= (the option types in order)

or "timeout=1" (exit status 1) when nothing came. Exit status 2 for a usage error.

    pbu_scapy.py LMA_ADDR --nai N [--mnid-subtype N] [--omit mnid|hnp|hi|att|ts]...
                 [--ts-offset SECONDS] [--ts-raw N] [--llid MAC] [--hi N] [--att N]
                 [--lifetime S] [--seq N] [--hnp P/L]... [--muho] [--muho-type N]
                 [--lla ADDR] [--flags LETTERS] [--others] [--again-after S] [--timeout S]
                 [--hex]

--ts-offset moves the Timestamp option (48-bit seconds since 1970, 16-bit fraction) away from
this host's clock; --ts-raw gives its 64-bit value as it is. --hex prints the octets sent.
--lla adds a Link-local Address option (RFC 5213 §8.6, type 26, 8n+6) holding ADDR (:: asks
the LMA for one). --flags gives the Binding Update's flags as scapy names them (A H L K M R P;
default AP): without P it is a plain Binding Update (RFC 6275 §6.1.7) and the answer waited for
is a Binding Acknowledgement without P. --others prints "other_seq=N" for every Binding
Acknowledgement from the LMA with another sequence number that came while waiting.
--again-after S plays a retransmission: when no answer came S seconds after the PBU, the same
PBU goes again with the next sequence number and a new timestamp (RFC 6275 §11.8); it prints
"first_answered=0" (or 1, and no retransmission) and then waits for the answer to the second.
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
MH_TYPE_BA = 6
BA_FLAG_P = 0x20


def parse_args(argv):
    p = argparse.ArgumentParser(prog="pbu_scapy.py", description=__doc__.split("\n")[0])
    p.add_argument("lma")
    p.add_argument("--nai", required=True)
    p.add_argument("--mnid-subtype", type=int, default=1)
    p.add_argument("--omit", action="append", default=[],
                   choices=["mnid", "hnp", "hi", "att", "ts"])
    p.add_argument("--ts-offset", type=float, default=0.0)
    p.add_argument("--ts-raw", type=int)
    p.add_argument("--llid")
    p.add_argument("--hi", type=int, default=1)
    p.add_argument("--att", type=int, default=4)
    p.add_argument("--lifetime", type=int, default=600)
    p.add_argument("--seq", type=int, default=0)
    p.add_argument("--hnp", action="append", default=[])
    p.add_argument("--muho", action="store_true")
    p.add_argument("--muho-type", type=int, default=18)
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--hex", action="store_true")
    p.add_argument("--lla")
    p.add_argument("--flags", default="AP")
    p.add_argument("--others", action="store_true")
    p.add_argument("--again-after", type=float)
    a = p.parse_args(argv)
    try:
        a.lma_addr = str(ipaddress.IPv6Address(a.lma))
        a.lla_addr = ipaddress.IPv6Address(a.lla) if a.lla else None
        a.prefixes = [ipaddress.IPv6Network(h, strict=False) for h in a.hnp]
    except ValueError as e:
        p.error(str(e))
    if a.llid:
        try:
            a.llid_bytes = bytes(int(x, 16) for x in a.llid.split(":"))
        except ValueError:
            p.error("bad --llid")
    return a


def prefix_body(net):
    """Reserved, prefix length, prefix: the body of the HNP and of the MuHo option."""
    return struct.pack("!BB", 0, net.prefixlen) + net.network_address.packed


def timestamp(a):
    if a.ts_raw is not None:
        return a.ts_raw & 0xFFFFFFFFFFFFFFFF
    return int((time.time() + a.ts_offset) * 65536) & 0xFFFFFFFFFFFFFFFF


class Options:
    """Mobility options laid out at their alignment, from Mobility Header offset 12 (the end of
    the PBU's fixed part)."""

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


def build_pbu(a, src):
    opts = Options(12)
    if "mnid" not in a.omit:
        opts.add(MIP6OptMNID(subtype=a.mnid_subtype, id=a.nai.encode()))
    if "hnp" not in a.omit:
        for net in a.prefixes or [ipaddress.IPv6Network("::/0")]:
            opts.add(MIP6OptUnknown(otype=22, odata=prefix_body(net)), 8, 4)
    if "hi" not in a.omit:
        opts.add(MIP6OptUnknown(otype=23, odata=struct.pack("!BB", 0, a.hi)))
    if "att" not in a.omit:
        opts.add(MIP6OptUnknown(otype=24, odata=struct.pack("!BB", 0, a.att)))
    if a.llid:
        opts.add(MIP6OptUnknown(otype=25, odata=b"\x00\x00" + a.llid_bytes), 8, 2)
    if a.lla_addr is not None:
        opts.add(MIP6OptUnknown(otype=26, odata=a.lla_addr.packed), 8, 6)
    if "ts" not in a.omit:
        opts.add(MIP6OptUnknown(otype=27, odata=struct.pack("!Q", timestamp(a))), 8, 2)
    if a.muho:
        opts.add(MIP6OptUnknown(otype=a.muho_type,
                                odata=prefix_body(ipaddress.IPv6Network("::/0"))), 8, 4)
    bu = MIP6MH_BU(seq=a.seq, flags=a.flags, mhtime=a.lifetime // 4, autopad=0,
                   options=opts.finish())
    # The checksum is scapy's (IPv6 pseudo-header); the kernel's raw MH socket fills it again.
    return bytes(IPv6(src=src, dst=a.lma_addr) / bu)[40:]


def source_for(dst):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        s.connect((dst, 9))
        return s.getsockname()[0]
    finally:
        s.close()


def receive_pba(sock, a, timeout):
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        data, frm = sock.recvfrom(4096)
        if ipaddress.IPv6Address(frm[0].split("%")[0]) != ipaddress.IPv6Address(a.lma_addr):
            continue
        # a PBU is answered by a PBA (flag P), a Binding Update by a BA without it
        if len(data) < 12 or data[2] != MH_TYPE_BA or bool(data[7] & BA_FLAG_P) != a.proxy:
            continue
        ba = MIP6MH_BA(data)
        if ba.seq == a.seq:
            return ba
        if a.others:
            print("other_seq=%d" % ba.seq)


def report(ba):
    print("status=%d" % ba.status)
    print("seq=%d" % ba.seq)
    print("lifetime=%d" % (ba.mhtime * 4))
    print("flags=0x%02x" % (int(ba.flags) << 5))
    hnps, muhos, types = [], [], []
    for o in ba.options:
        t = o.otype
        types.append(str(t))
        if isinstance(o, MIP6OptMNID):
            print("mn_id_subtype=%d" % o.subtype)
            print("mn_id=%s" % o.id.decode("ascii", "replace"))
        elif isinstance(o, MIP6OptUnknown):
            d = bytes(o.odata)
            if t in (22, 18) and len(d) == 18:
                net = "%s/%d" % (ipaddress.IPv6Address(d[2:]), d[1])
                (hnps if t == 22 else muhos).append(net)
            elif t == 23 and len(d) == 2:
                print("hi=%d" % d[1])
            elif t == 24 and len(d) == 2:
                print("att=%d" % d[1])
            elif t == 25 and len(d) >= 3:
                print("llid=%s" % ":".join("%02x" % b for b in d[2:]))
            elif t == 26 and len(d) == 16:
                print("lla=%s" % ipaddress.IPv6Address(d))
            elif t == 27 and len(d) == 8:
                print("timestamp_raw=%d" % struct.unpack("!Q", d)[0])
    print("hnp_count=%d" % len(hnps))
    for h in hnps:
        print("hnp=%s" % h)
    print("muho_count=%d" % len(muhos))
    for m in muhos:
        print("muho=%s" % m)
    print("options=%s" % ",".join(types))


def main(argv):
    a = parse_args(argv)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    pkt = build_pbu(a, source_for(a.lma_addr))
    a.proxy = "P" in a.flags
    sock.sendto(pkt, (a.lma_addr, 0))
    t0 = time.monotonic()
    if a.hex:  # once sent, at once: a test may wait for this line to act next
        print("sent=%s" % pkt.hex(), flush=True)
    ba = None
    if a.again_after is not None:
        ba = receive_pba(sock, a, a.again_after)
        print("first_answered=%d" % (ba is not None))
    if ba is None and a.again_after is not None:
        a.seq = (a.seq + 1) & 0xFFFF
        sock.sendto(build_pbu(a, source_for(a.lma_addr)), (a.lma_addr, 0))
    if ba is None:
        ba = receive_pba(sock, a, a.timeout)
    if ba is None:
        print("timeout=1")
        return 1
    print("answer_ms=%d" % int((time.monotonic() - t0) * 1000))
    report(ba)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
