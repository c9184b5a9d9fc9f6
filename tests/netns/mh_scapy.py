#!/usr/bin/python3
"""mh_scapy.py: an independent peer for the Mobility Header messages other than PBU and PBA.

Like pbu_scapy.py and pba_scapy.py it builds and decodes with scapy (python3-scapy), never with
the project's codec. scapy has no class for the Heartbeat (RFC 5847), the Update Notification
and its Acknowledgement (RFC 7077): they are declared here, field by field, from the RFCs'
figures (redrawn in the comments below), on scapy's Mobility Header base, so that scapy builds
them, computes their Header Len and decodes their options. Messages go out, and answers come
in, on a raw IPPROTO_MH socket (the kernel fills and checks the checksum).

    mh_scapy.py hb PEER [--seq N] [--trailing N] [--timeout S]
        sends a Heartbeat Request (R clear) to PEER, followed by N octets that Header Len does
        not count (RFC 8200 §4.7: the receiver must ignore them), and waits for the Heartbeat
        Response with that sequence number: prints type= u= r= seq= reserved= options= restart_counter=
        rc_len= rc_offset= (the option's offset in the message, for its 4n+2 alignment)
    mh_scapy.py raw PEER --nh N --hdrlen N --type N [--body HEX] [--timeout S]
        sends a Mobility Header with those Payload Proto, Header Len and MH Type fields as given
        (the body padded with zeros to what Header Len declares) and waits for what comes back:
        an ICMPv6 error, printed icmp_type= icmp_code= pointer= from= inv_nh= inv_hdrlen=
        inv_mhtype=, or a Binding Error, printed be_status= from= be_hoa=
    mh_scapy.py upn LMA --ack-on K [--after S] [--timeout S]
        plays a MAG that receives Update Notifications from LMA: prints ready=1, then for each
        upn=N seq= reason= a= d= reserved= fixed=<octets 6-11 in hex> mn_id=; acknowledges the
        K-th (an Update Notification Acknowledgement, status 0, echoing the MN-ID) and then
        listens S seconds more: after_ack=<how many came then>

Each prints "timeout=1" (exit status 1) when what it waits for did not come. Exit status 2 for
a usage error.
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

from scapy.fields import (  # noqa: E402  (after the logging set-up)
    BitField,
    ByteEnumField,
    ByteField,
    IntField,
    ShortField,
    XShortField,
)
from scapy.layers.inet6 import (  # noqa: E402
    IPv6,
    ICMPv6ParamProblem,
    MIP6MH_BE,
    MIP6MH_Generic,
    MIP6OptMNID,
    MIP6OptUnknown,
    PadN,
    _MobilityHeader,
    _OptionsField,
    _PhantomAutoPadField,
    ipv6nh,
)

from pbu_scapy import source_for  # noqa: E402  (this directory's: the address toward a peer)

IPPROTO_MH = 135
MH_TYPE_BE = 7
MH_TYPE_HB = 13
MH_TYPE_UPN = 19
MH_TYPE_UPA = 20
OPT_RESTART_COUNTER = 28


def mh_head(mhtype):
    """The 6 octets every Mobility Header starts with (RFC 6275 §6.1.1)."""
    return [ByteEnumField("nh", 59, ipv6nh), ByteField("len", None),
            ByteField("mhtype", mhtype), ByteField("res", 0), XShortField("cksum", None)]


def options_at_12():
    """Mobility options from offset 12 to the end Header Len declares."""
    return [_PhantomAutoPadField("autopad", 0),
            _OptionsField("options", [], MIP6OptUnknown, 12,
                          length_from=lambda pkt: 8 * pkt.len - 4)]


class MIP6MH_HB(_MobilityHeader):
    """Heartbeat message, RFC 5847 §3.3 (MH Type 13), redrawn:

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
                                    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
                                    |      Reserved             |U|R|
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                        Sequence Number                        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    .                        Mobility Options                       .
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    U: unsolicited Heartbeat Response; R: 1 in a Response, 0 in a Request. A Response carries
    the Restart Counter option (§3.4: type 28, length 4, a 32-bit counter, alignment 4n+2):

                                    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
                                    |   Type = 28   |  Length = 4   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                        Restart Counter                        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    """
    name = "Heartbeat"
    fields_desc = mh_head(MH_TYPE_HB) + [BitField("reserved", 0, 14), BitField("u", 0, 1),
                                         BitField("r", 0, 1), IntField("seq", 0)] + \
        options_at_12()


class MIP6MH_UPN(_MobilityHeader):
    """Update Notification, RFC 7077 §4.1 (MH Type 19), redrawn:

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
                                    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
                                    |          Sequence #           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |     Notification Reason       |A|D|        Reserved           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    .                        Mobility Options                       .
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    A: Acknowledgement requested. D: Retransmit, 0 when the sequence number is sent the first
    time, 1 on each retransmission of it (§4.1, §5.1).
    """
    name = "Update Notification"
    fields_desc = mh_head(MH_TYPE_UPN) + [ShortField("seq", 0), ShortField("reason", 0),
                                          BitField("a", 0, 1), BitField("d", 0, 1),
                                          BitField("reserved", 0, 14)] + options_at_12()


class MIP6MH_UPA(_MobilityHeader):
    """Update Notification Acknowledgement, RFC 7077 §4.2 (MH Type 20), redrawn:

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
                                    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
                                    |          Sequence #           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |    Status     |                   Reserved                    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    .                        Mobility Options                       .
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    """
    name = "Update Notification Acknowledgement"
    fields_desc = mh_head(MH_TYPE_UPA) + [ShortField("seq", 0), ByteField("status", 0),
                                          BitField("reserved", 0, 24)] + options_at_12()


def wire(mh, dst):
    """The Mobility Header's octets as scapy builds them under an IPv6 header (its checksum over
    the pseudo-header; the kernel's raw MH socket fills it again)."""
    return bytes(IPv6(src=source_for(dst), dst=dst) / mh)[40:]


def same_addr(a, b):
    return ipaddress.IPv6Address(a.split("%")[0]) == ipaddress.IPv6Address(b)


def receive(socks, timeout, accept):
    """The first (sock, data, source) accept() takes, or None when timeout seconds passed."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        ready = select.select(socks, [], [], left)[0]
        for s in ready:
            data, frm = s.recvfrom(4096)
            if accept(s, data, frm[0]):
                return s, data, frm[0].split("%")[0]


# --- hb ---

def cmd_hb(a):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    # no option: 12 octets, padded to 16 (the message is 8n octets, RFC 6275 §6.1.1)
    req = MIP6MH_HB(seq=a.seq, options=[PadN(optdata=b"\x00\x00")])
    sock.sendto(wire(req, a.peer) + b"\xa5" * a.trailing, (a.peer, 0))

    def is_answer(s, d, frm):
        return same_addr(frm, a.peer) and len(d) >= 12 and d[2] == MH_TYPE_HB and \
            MIP6MH_HB(d).seq == a.seq and MIP6MH_HB(d).r == 1

    got = receive([sock], a.timeout, is_answer)
    if got is None:
        print("timeout=1")
        return 1
    data = got[1]
    hb = MIP6MH_HB(data)
    print("type=%d" % hb.mhtype)
    print("u=%d" % hb.u)
    print("r=%d" % hb.r)
    print("seq=%d" % hb.seq)
    print("reserved=%d" % hb.reserved)
    print("options=%s" % ",".join(str(o.otype) for o in hb.options))
    off = 12
    for o in hb.options:
        if isinstance(o, MIP6OptUnknown) and o.otype == OPT_RESTART_COUNTER:
            print("rc_len=%d" % o.olen)
            print("rc_offset=%d" % off)
            if len(o.odata) == 4:
                print("restart_counter=%d" % struct.unpack("!I", bytes(o.odata))[0])
        off += len(bytes(o))
    return 0


# --- raw ---

def cmd_raw(a):
    mh = MIP6MH_Generic(nh=a.nh, len=a.hdrlen, mhtype=a.type, res=0)
    size = 8 + 8 * a.hdrlen - 6
    mh.msg = (bytes.fromhex(a.body) + bytes(size))[:size]
    pkt = wire(mh, a.peer)
    msock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    isock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    msock.sendto(pkt, (a.peer, 0))

    def is_answer(s, d, frm):
        if not same_addr(frm, a.peer):
            return False
        if s is isock:
            return len(d) >= 8 and d[0] < 128  # an ICMPv6 error
        return len(d) >= 24 and d[2] == MH_TYPE_BE

    got = receive([msock, isock], a.timeout, is_answer)
    if got is None:
        print("timeout=1")
        return 1
    s, data, frm = got
    if s is isock:
        pp = ICMPv6ParamProblem(data)
        print("icmp_type=%d" % pp.type)
        print("icmp_code=%d" % pp.code)
        print("pointer=%d" % pp.ptr)
        print("from=%s" % frm)
        inv = bytes(pp.payload)  # the invoking packet, as much as fits
        ip = IPv6(inv[:40])
        print("inv_next_header=%d" % ip.nh)
        if len(inv) >= 43:
            inner = MIP6MH_Generic(inv[40:])
            print("inv_nh=%d" % inner.nh)
            print("inv_hdrlen=%d" % inner.len)
            print("inv_mhtype=%d" % inner.mhtype)
    else:
        be = MIP6MH_BE(data)
        print("be_status=%d" % be.status)
        print("from=%s" % frm)
        print("be_hoa=%s" % be.ha)
    return 0


# --- upn ---

def upa_for(upn):
    """The acknowledgement: same sequence number, status 0, the MN-ID echoed; padded to 8n."""
    opts = [o for o in upn.options if isinstance(o, MIP6OptMNID)][:1]
    used = 12 + sum(len(bytes(o)) for o in opts)
    pad = -used % 8
    if pad == 1:
        pad = 9  # a PadN needs 2 octets at least
    if pad:
        opts.append(PadN(optdata=b"\x00" * (pad - 2)))
    return MIP6MH_UPA(seq=upn.seq, status=0, options=opts)


def report_upn(n, data, upn):
    print("upn=%d" % n)
    print("seq=%d" % upn.seq)
    print("reason=%d" % upn.reason)
    print("a=%d" % upn.a)
    print("d=%d" % upn.d)
    print("reserved=%d" % upn.reserved)
    print("fixed=%s" % data[6:12].hex())
    for o in upn.options:
        if isinstance(o, MIP6OptMNID):
            print("mn_id=%s" % o.id.decode("ascii", "replace"))
    sys.stdout.flush()


def cmd_upn(a):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    print("ready=1", flush=True)

    def is_upn(s, d, frm):
        return same_addr(frm, a.lma) and len(d) >= 12 and d[2] == MH_TYPE_UPN

    n = 0
    while n < a.ack_on:
        got = receive([sock], a.timeout, is_upn)
        if got is None:
            print("timeout=1")
            return 1
        n += 1
        upn = MIP6MH_UPN(got[1])
        report_upn(n, got[1], upn)
    sock.sendto(wire(upa_for(upn), a.lma), (a.lma, 0))
    print("acked=%d" % upn.seq, flush=True)
    after = 0
    end = time.monotonic() + a.after
    while True:
        got = receive([sock], max(0.0, end - time.monotonic()), is_upn)
        if got is None:
            break
        after += 1
        report_upn(n + after, got[1], MIP6MH_UPN(got[1]))
    print("after_ack=%d" % after)
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="mh_scapy.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    hb = sub.add_parser("hb")
    hb.add_argument("peer")
    hb.add_argument("--seq", type=int, default=1)
    hb.add_argument("--trailing", type=int, default=0)
    hb.add_argument("--timeout", type=float, default=3.0)
    raw = sub.add_parser("raw")
    raw.add_argument("peer")
    raw.add_argument("--nh", type=int, required=True)
    raw.add_argument("--hdrlen", type=int, required=True)
    raw.add_argument("--type", type=int, required=True)
    raw.add_argument("--body", default="")
    raw.add_argument("--timeout", type=float, default=3.0)
    upn = sub.add_parser("upn")
    upn.add_argument("lma")
    upn.add_argument("--ack-on", type=int, required=True)
    upn.add_argument("--after", type=float, default=0.0)
    upn.add_argument("--timeout", type=float, default=10.0)
    a = p.parse_args(argv)
    try:
        for k in ("peer", "lma"):
            if hasattr(a, k):
                setattr(a, k, str(ipaddress.IPv6Address(getattr(a, k))))
        if a.cmd == "raw":
            bytes.fromhex(a.body)
    except ValueError as e:
        p.error(str(e))
    return a


def main(argv):
    a = parse_args(argv)
    return {"hb": cmd_hb, "raw": cmd_raw, "upn": cmd_upn}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
