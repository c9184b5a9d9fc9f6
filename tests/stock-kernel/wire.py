#!/usr/bin/python3
"""wire.py: proves on the wire that packets between two addresses cross a link tunnelled.

  wire.py IFNAME OUTER_SRC OUTER_DST INNER_SRC INNER_DST [--count N] [--seconds S]

Reads every IPv6 frame on IFNAME (an AF_PACKET socket: no tshark, which takes many seconds to
start under an emulated CPU) and counts the RFC 2473 IPv6-in-IPv6 packets from OUTER_SRC to
OUTER_DST whose inner packet goes from INNER_SRC to INNER_DST. The outer header may be followed
by one Destination Options header (the tunnel encapsulation limit that an ip6tnl device adds by
default) before the inner packet (next header 41). Prints "ready" once it listens, then, when N
(default 3) such packets were seen, one line with the header chain it saw ("41" or "60 41") and
exits 0; exits 1 after S seconds (default 20) without them.
"""
import argparse
import ipaddress
import select
import socket
import sys
import time

ETH_P_ALL = 3  # a socket of one protocol sees only frames received, not those sent
ETH_P_IPV6 = 0x86DD
NH_DSTOPTS = 60
NH_IPV6 = 41


def addr(text):
    return ipaddress.IPv6Address(text).packed


def inner_of(frame):
    """The inner packet's (src, dst, chain) of a tunnelled frame, or None."""
    ip = frame[14:]
    if frame[12:14] != ETH_P_IPV6.to_bytes(2, "big") or len(ip) < 40 or ip[0] >> 4 != 6:
        return None
    nh, off, chain = ip[6], 40, []
    if nh == NH_DSTOPTS and len(ip) >= off + 8:
        chain.append(nh)
        nh, off = ip[off], off + (ip[off + 1] + 1) * 8
    if nh != NH_IPV6 or len(ip) < off + 40 or ip[off] >> 4 != 6:
        return None
    chain.append(nh)
    return ip[8:24], ip[24:40], ip[off + 8:off + 24], ip[off + 24:off + 40], chain


def main():
    p = argparse.ArgumentParser()
    for name in ("ifname", "osrc", "odst", "isrc", "idst"):
        p.add_argument(name)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--seconds", type=float, default=20)
    a = p.parse_args()
    want = (addr(a.osrc), addr(a.odst), addr(a.isrc), addr(a.idst))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.ifname, 0))
    print("ready", flush=True)
    seen, end = 0, time.monotonic() + a.seconds
    while seen < a.count:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            print(f"{seen} of {a.count} tunnelled packets in {a.seconds} s", flush=True)
            return 1
        got = inner_of(s.recv(65535))
        if got and got[:4] == want:
            seen += 1
            chain = got[4]
    print("next headers " + " ".join(str(n) for n in chain), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
