#!/usr/bin/env python3
"""ctl_abuse.py: abusive clients of a daemon's control socket (doc/control-protocol.md), for
tests/netns/test_lmad_abuse.sh. Each mode prints one line of key=value pairs.

  ctl_abuse.py idle SOCKET N SECONDS   N clients connect and send nothing; after SECONDS, how
                                       many were refused with error 5 (too_many) and how many
                                       got error 6 (idle) or were closed
  ctl_abuse.py hog SOCKET SECONDS      one client writes "show stats" requests for SECONDS and
                                       never reads: how many it wrote
  ctl_abuse.py pipeline SOCKET         three requests in one write (show stats, an unknown MN's
                                       bindings, the policy list): the answers' order
  ctl_abuse.py latency SOCKET SECONDS  one client asks "show stats" every 10 ms for SECONDS and
                                       times each whole answer: requests, p50, p99 and max (ms)
"""
import resource
import select
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x504D4950, 1
HDR = struct.Struct("<IHHI")
END, ERROR, STAT, POLICY = 200, 201, 101, 103


def request(rtype, payload=b""):
    return HDR.pack(MAGIC, VERSION, rtype, len(payload)) + payload


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def messages(buf):
    """The whole messages at the start of buf, as (type, payload), and what is left."""
    out = []
    while len(buf) >= HDR.size:
        _, _, mtype, length = HDR.unpack_from(buf)
        if len(buf) < HDR.size + length:
            break
        out.append((mtype, buf[HDR.size:HDR.size + length]))
        buf = buf[HDR.size + length:]
    return out, buf


def error_code(payload):
    return struct.unpack_from("<I", payload)[0] if len(payload) >= 4 else -1


def idle(path, n, seconds):
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
    socks, failed = [], 0
    for _ in range(n):
        try:
            socks.append(connect(path))
        except OSError:
            failed += 1
    codes = {}
    open_socks = {s.fileno(): s for s in socks}
    end = time.monotonic() + seconds
    while open_socks and time.monotonic() < end:
        ready, _, _ = select.select(list(open_socks), [], [], 0.1)
        for fd in ready:
            s = open_socks[fd]
            data = s.recv(4096)
            got_error = False
            for mtype, payload in messages(data)[0]:
                if mtype == ERROR:
                    code = error_code(payload)
                    codes[code] = codes.get(code, 0) + 1
                    got_error = True
            if not data or got_error:
                del open_socks[fd]
                s.close()
    print("clients=%d connect_failed=%d too_many=%d idle=%d still_open=%d" %
          (n, failed, codes.get(5, 0), codes.get(6, 0), len(open_socks)))


def hog(path, seconds):
    s = connect(path)
    s.setblocking(False)
    req = request(2) * 64
    written = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            written += s.send(req)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    print("hog_requests=%d" % (written // HDR.size))
    s.close()


def pipeline(path):
    s = connect(path)
    s.sendall(request(2) + request(1, b"nobody@example.org\0") + request(8))
    buf, answers, kinds = b"", [], []
    s.settimeout(5)
    while len(answers) < 3:
        data = s.recv(65536)
        if not data:
            break
        msgs, buf = messages(buf + data)
        for mtype, payload in msgs:
            kinds.append(mtype)
            if mtype == END:
                answers.append("end")
            elif mtype == ERROR:
                answers.append("error%d" % error_code(payload))
    stats = kinds.index(END) if END in kinds else -1
    print("answers=%s stat_records_first=%d" %
          (",".join(answers), int(stats > 0 and all(k == STAT for k in kinds[:stats]))))


def answer_ms(s):
    """Sends one "show stats" and reads its whole answer: the time it took, in ms."""
    t0 = time.monotonic()
    s.sendall(request(2))
    buf = b""
    while True:
        data = s.recv(65536)
        if not data:
            raise OSError("the daemon closed the connection")
        msgs, buf = messages(buf + data)
        if any(mtype in (END, ERROR) for mtype, _ in msgs):
            return (time.monotonic() - t0) * 1000.0


def percentile(ordered, p):
    return ordered[min(len(ordered) - 1, int(p / 100.0 * (len(ordered) - 1) + 0.5))]


def latency(path, seconds):
    s = connect(path)
    s.settimeout(5)
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        times.append(answer_ms(s))
        time.sleep(0.01)
    times.sort()
    print("requests=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" %
          (len(times), percentile(times, 50), percentile(times, 99), times[-1]))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "idle":
        idle(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "hog":
        hog(sys.argv[2], float(sys.argv[3]))
    elif mode == "pipeline":
        pipeline(sys.argv[2])
    elif mode == "latency":
        latency(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
