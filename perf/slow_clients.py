#!/usr/bin/env python3
"""Slowloris and slow-reader attackers for perf/slow-clients.sh (loopback only, bounded in count and time).

Opens TRICKLE connections that send a request head one byte every INTERVAL seconds (never finishing it) and
NONREADERS connections that ask for a large response and never read it, then watches the server process: its
open descriptors and RSS once a second, and which trickle connections the server answered (408) and closed.
Prints one JSON object when every attacker is cut off or DURATION seconds have passed.
"""
import json
import os
import socket
import sys
import time


def server_state(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return fds, int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def connect(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


def main():
    port, pid, trickle_n, nonreader_n, interval, duration, size = (
        int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
        float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]))
    idle_fds, idle_rss, _ = server_state(pid)
    head = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 4000
    started = time.monotonic()
    trickle = [connect(port) for _ in range(trickle_n)]
    request = f"GET /bytes/{size} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
    nonreaders = []
    for _ in range(nonreader_n):
        s = connect(port, rcvbuf=4096)
        s.send(request)
        nonreaders.append(s)
    open_trickle = {s: 0 for s in trickle}
    answered_408 = 0
    closed_at = []
    timeline = []
    peak_fds = 0
    step = 0
    next_send = time.monotonic()
    cut_off_at = None
    while time.monotonic() - started < duration:
        now = time.monotonic()
        if now >= next_send:
            for s, sent in list(open_trickle.items()):
                try:
                    s.send(head[sent % len(head):sent % len(head) + 1])
                    open_trickle[s] = sent + 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass
            next_send = now + interval
        for s in list(open_trickle):
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 408"):
                answered_408 += 1
            if data == b"" or data.startswith(b"HTTP/1.1 408"):
                del open_trickle[s]
                closed_at.append(time.monotonic() - started)
        fds, rss, hwm = server_state(pid)
        peak_fds = max(peak_fds, fds)
        timeline.append({"t": round(time.monotonic() - started, 1), "server_fds": fds, "rss_mb": rss})
        if cut_off_at is None and not open_trickle and fds <= idle_fds + 20:
            cut_off_at = time.monotonic() - started
            break
        step += 1
        time.sleep(1)
    fds, rss, hwm = server_state(pid)
    print(json.dumps({
        "trickle": trickle_n, "nonreaders": nonreader_n, "idle_fds": idle_fds, "peak_fds": peak_fds,
        "final_fds": fds, "idle_rss_mb": idle_rss, "peak_rss_mb": hwm, "trickle_answered_408": answered_408,
        "trickle_still_open": len(open_trickle),
        "trickle_closed_first_s": round(min(closed_at), 1) if closed_at else None,
        "trickle_closed_last_s": round(max(closed_at), 1) if closed_at else None,
        "all_cut_off_s": round(cut_off_at, 1) if cut_off_at else None,
        "timeline": timeline[::5],
    }))
    for s in trickle + nonreaders:
        s.close()


if __name__ == "__main__":
    main()
