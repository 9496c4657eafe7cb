#!/usr/bin/env python3
"""The soak's mixed requests (perf/soak.sh): uploads with Content-Length and chunked bodies checked byte for byte,
aborted requests, client resets in the middle of 100 MB responses, and WebSocket echo conversations, from a few
threads against 127.0.0.1:PORT. Usage: soak_mixed.py PORT OPERATIONS SEED. Prints one JSON object of counts:
"ok" and "failed" per kind; aborted requests and resets are on purpose and count as ok when the server stays sane
(answers the abort with 400 or a close, and the next connection works)."""
import base64
import json
import os
import random
import socket
import struct
import sys
import threading

PORT = int(sys.argv[1])
OPERATIONS = int(sys.argv[2])
SEED = int(sys.argv[3])
lock = threading.Lock()
counts = {}
errors = []


def count(kind, ok, detail="", requests=1):
    with lock:
        counts["requests"] = counts.get("requests", 0) + requests
        entry = counts.setdefault(kind, {"ok": 0, "failed": 0}) if kind != "requests" else None
        entry["ok" if ok else "failed"] += 1
        if not ok and len(errors) < 20:
            errors.append(f"{kind}: {detail}")


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until(s, marker, buffer=b""):
    while marker not in buffer:
        chunk = s.recv(65536)
        if not chunk:
            raise IOError("closed before " + repr(marker))
        buffer += chunk
    return buffer


def read_response(s, buffer=b""):
    buffer = read_until(s, b"\r\n\r\n", buffer)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                raise IOError("closed in body")
            rest += chunk
        return status, headers, rest[:n], rest[n:]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            rest = read_until(s, b"\r\n", rest)
            line, _, rest = rest.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            while len(rest) < size + 2:
                chunk = s.recv(65536)
                if not chunk:
                    raise IOError("closed in chunk")
                rest += chunk
            if size == 0:
                rest = read_until(s, b"\r\n", rest)
                return status, headers, body, rest.partition(b"\r\n")[2]
            body += rest[:size]
            rest = rest[size + 2:]
    return status, headers, b"", rest


def upload(rng):
    body = os.urandom(rng.choice([1, 100, 4096, 65536, 262144]))
    with connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        status, _, echoed, _ = read_response(s)
        count("upload", status == 200 and echoed == body, f"status {status}, {len(echoed)} of {len(body)} bytes")


def chunked_upload(rng):
    pieces = [os.urandom(rng.randint(1, 20000)) for _ in range(rng.randint(1, 8))]
    framed = b"".join(b"%x;n=%d\r\n%s\r\n" % (len(p), i, p) for i, p in enumerate(pieces)) + b"0\r\nX-Trailer: t\r\n\r\n"
    with connect() as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n" + framed)
        status, _, echoed, _ = read_response(s)
        count("chunked upload", status == 200 and echoed == b"".join(pieces), f"status {status}")


def keepalive_burst(rng):
    with connect() as s:
        rest = b""
        ok = True
        for i in range(rng.randint(2, 20)):
            s.sendall(b"GET /json HTTP/1.1\r\nHost: soak\r\n\r\n")
            status, _, body, rest = read_response(s, rest)
            ok = ok and status == 200 and b"Hello, World!" in body
        count("keep-alive json", ok, requests=i + 1)


def aborted(rng):
    """On purpose: a request cut off mid-head, mid-body (FIN) or reset; the server must answer or close, then serve on."""
    mode = rng.choice(["head-fin", "body-fin", "head-rst", "body-rst"])
    s = connect()
    if mode.startswith("head"):
        s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: so")
    else:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n" + b"x" * rng.randint(0, 50000))
    if mode.endswith("rst"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    else:
        s.shutdown(socket.SHUT_WR)
        try:
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        s.close()
    with connect() as probe:
        probe.sendall(b"GET /plaintext HTTP/1.1\r\nHost: soak\r\n\r\n")
        status, _, body, _ = read_response(probe)
        count("aborted (on purpose) then served", status == 200 and body == b"Hello, World!", mode, requests=2)


def reset_large(rng):
    """On purpose: read a few MB of a 100 MB response, then reset the connection."""
    s = connect()
    s.sendall(b"GET /bytes/104857600 HTTP/1.1\r\nHost: soak\r\n\r\n")
    want = rng.randint(1, 16) * 1024 * 1024
    got = 0
    while got < want:
        chunk = s.recv(262144)
        if not chunk:
            break
        got += len(chunk)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    count("100 MB response reset (on purpose)", got >= want, f"got {got}")


def websocket(rng):
    key = base64.b64encode(os.urandom(16))
    with connect() as s:
        s.sendall(b"GET /ws/echo HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n")
        buffer = read_until(s, b"\r\n\r\n")
        head, _, rest = buffer.partition(b"\r\n\r\n")
        ok = head.startswith(b"HTTP/1.1 101")
        for _ in range(rng.randint(1, 10)):
            payload = os.urandom(rng.randint(0, 30000))
            mask = os.urandom(4)
            n = len(payload)
            header = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
            s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
            # The echo may come back fragmented (the server reads 16 KB at a time): join frames until FIN.
            echoed = b""
            fin = False
            while not fin:
                while len(rest) < 2:
                    rest += s.recv(65536)
                fin = bool(rest[0] & 0x80)
                length = rest[1] & 0x7F
                offset = 2
                if length == 126:
                    while len(rest) < 4:
                        rest += s.recv(65536)
                    length = struct.unpack(">H", rest[2:4])[0]
                    offset = 4
                while len(rest) < offset + length:
                    rest += s.recv(65536)
                echoed += rest[offset:offset + length]
                rest = rest[offset + length:]
            ok = ok and echoed == payload
        mask = os.urandom(4)
        s.sendall(bytes([0x88, 0x82]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(b"\x03\xe8")))
        count("websocket echo", ok)


KINDS = [(upload, 30), (chunked_upload, 25), (keepalive_burst, 20), (aborted, 10), (websocket, 12), (reset_large, 3)]


def worker(index, operations):
    rng = random.Random(SEED * 1000 + index)
    population = [k for k, w in KINDS for _ in range(w)]
    for _ in range(operations):
        kind = rng.choice(population)
        try:
            kind(rng)
        except Exception as e:  # noqa: BLE001 - every unexpected outcome is a failure to report
            count(kind.__name__, False, repr(e), requests=0)


threads = [threading.Thread(target=worker, args=(i, OPERATIONS // 8)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"counts": counts, "errors": errors}))
