#!/usr/bin/python3
"""icmp6_listen.py: prints the ICMPv6 Parameter Problems (RFC 4443 §3.4, type 4) that reach the
namespace it runs in, decoded here (not by the project's code), for the namespace tests.

    icmp6_listen.py SECONDS COUNT

Prints "ready" once listening, then one line per message: "type=4 code=C pointer=P from=ADDR
proto=X hdrlen=Y" (the first two octets of the invoking packet's payload, behind its 40-octet
IPv6 header); exits after COUNT of them or SECONDS.
"""
import select
import socket
import struct
import sys
import time


def main():
    seconds, count = float(sys.argv[1]), int(sys.argv[2])
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    print("ready", flush=True)
    end, seen = time.monotonic() + seconds, 0
    while seen < count and time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        data, addr = s.recvfrom(2048)
        if len(data) < 8 + 42 or data[0] != 4:
            continue
        pointer = struct.unpack("!I", data[4:8])[0]
        print("type=%d code=%d pointer=%d from=%s proto=%d hdrlen=%d" %
              (data[0], data[1], pointer, addr[0], data[48], data[49]), flush=True)
        seen += 1


if __name__ == "__main__":
    main()
