#!/usr/bin/python3
"""traffic.py: the lab's traffic, sent and counted by plain sockets (no iperf on these machines).

  udp-send DST PORT[,PORT...] [--rate N] [--seconds S] [--size B] [--report]
      datagrams to DST, one flow per port (source port = destination port), N per second per flow
      (default 100), for S seconds (default: until killed); each carries a sequence number and
      its send time (ns, CLOCK_REALTIME). --report prints how many each flow sent.
  udp-count PORT[,PORT...] --out FILE [--log FILE]
      receives on :: and counts datagrams per (port, ingress interface), using IPV6_RECVPKTINFO;
      rewrites FILE (JSON {"port": {"ifname": count}}) every 50 ms. With --log, one line per
      datagram: "port ifname seq sent_ns received_ns" (receive time from SO_TIMESTAMPNS).
  tcp-sink PORT --out FILE
      accepts one connection, reads it to the end, writes "BYTES SHA256" to FILE.
  tcp-source DST PORT --bytes N [--chunk B] [--pause S]
      sends N random bytes in chunks of B (65536) with S seconds (0.05) between them, then
      prints "BYTES SHA256".
  counts FILE PORT IFNAME
      prints one count from a udp-count file (0 when absent).
"""
import argparse
import hashlib
import json
import os
import select
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = 35
HEADER = struct.Struct("!QQ")  # sequence number, send time in ns


def ports(text):
    return [int(p) for p in text.split(",") if p]


def udp_send(a):
    flows = ports(a.ports)
    socks = []
    for p in flows:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::", p))
        socks.append((s, p))
    period = 1.0 / a.rate
    pad = b"\0" * max(0, a.size - HEADER.size)
    start = time.monotonic()
    seq = 0
    while a.seconds is None or time.monotonic() - start < a.seconds:
        for s, p in socks:
            try:
                s.sendto(HEADER.pack(seq, time.time_ns()) + pad, (a.dst, p))
            except OSError:
                pass  # no route for a moment (a link change): the next one goes
        seq += 1
        delay = start + seq * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    if a.report:
        print(seq)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def udp_count(a):
    socks = {}
    for p in ports(a.ports):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind(("::", p))
        s.setblocking(False)
        socks[s] = p
    counts = {str(p): {} for p in socks.values()}
    names = {}
    log = open(a.log, "w", buffering=1) if a.log else None
    write_json(a.out, counts)
    last = 0.0
    while True:
        ready, _, _ = select.select(list(socks), [], [], 0.05)
        for s in ready:
            while True:
                try:
                    data, anc, _, _ = s.recvmsg(2048, 256)
                except BlockingIOError:
                    break
                ifindex, stamp = 0, time.time_ns()
                for level, kind, value in anc:
                    if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
                        ifindex = struct.unpack("=I", value[16:20])[0]
                    elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("=qq", value[:16])
                        stamp = sec * 1000000000 + nsec
                if ifindex not in names:
                    try:
                        names[ifindex] = socket.if_indextoname(ifindex)
                    except OSError:
                        names[ifindex] = str(ifindex)
                per_if = counts[str(socks[s])]
                name = names[ifindex]
                per_if[name] = per_if.get(name, 0) + 1
                if log and len(data) >= HEADER.size:
                    seq, sent = HEADER.unpack_from(data)
                    log.write("%d %s %d %d %d\n" % (socks[s], name, seq, sent, stamp))
        now = time.monotonic()
        if now - last >= 0.05:
            write_json(a.out, counts)
            last = now


def tcp_sink(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", a.port))
    s.listen(1)
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    with open(a.out + ".tmp", "w") as f:
        f.write("%d %s\n" % (n, h.hexdigest()))
    os.replace(a.out + ".tmp", a.out)


def tcp_source(a):
    data = os.urandom(a.bytes)
    s = socket.create_connection((a.dst, a.port), timeout=30)
    for i in range(0, a.bytes, a.chunk):
        s.sendall(data[i:i + a.chunk])
        time.sleep(a.pause)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the peer's close: everything was read
    s.close()
    print(len(data), hashlib.sha256(data).hexdigest())


def counts(a):
    try:
        with open(a.file) as f:
            print(json.load(f).get(str(a.port), {}).get(a.ifname, 0))
    except (OSError, ValueError):
        print(0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("udp-send")
    s.add_argument("dst")
    s.add_argument("ports")
    s.add_argument("--rate", type=float, default=100.0)
    s.add_argument("--seconds", type=float)
    s.add_argument("--size", type=int, default=100)
    s.add_argument("--report", action="store_true", help="print how many were sent per flow")
    s.set_defaults(fn=udp_send)
    s = sub.add_parser("udp-count")
    s.add_argument("ports")
    s.add_argument("--out", required=True)
    s.add_argument("--log")
    s.set_defaults(fn=udp_count)
    s = sub.add_parser("tcp-sink")
    s.add_argument("port", type=int)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=tcp_sink)
    s = sub.add_parser("tcp-source")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--bytes", type=int, required=True)
    s.add_argument("--chunk", type=int, default=65536)
    s.add_argument("--pause", type=float, default=0.05)
    s.set_defaults(fn=tcp_source)
    s = sub.add_parser("counts")
    s.add_argument("file")
    s.add_argument("port", type=int)
    s.add_argument("ifname")
    s.set_defaults(fn=counts)
    a = p.parse_args()
    try:
        a.fn(a)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
