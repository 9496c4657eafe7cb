#!/usr/bin/env python3
"""Induces a full, blocking garbage collection in a running .NET process, from outside.

perf/run.sh calls it before each RSS reading of the idle-memory measurement, so that garbage left
over from connecting (not memory the connections hold) is not counted, on every .NET server alike.
It speaks the runtime's diagnostics IPC protocol (what dotnet-trace and dotnet-gcdump use): it starts
an EventPipe session with the Microsoft-Windows-DotNETRuntime provider's GCHeapCollect keyword
(0x800000), which makes the runtime run a full GC, drains the trace stream for a moment, and stops
the session. Usage: dotnet_gc.py PID. Exits non-zero when the process has no diagnostics socket.
"""

import glob
import os
import socket
import struct
import sys
import time

MAGIC = b"DOTNET_IPC_V1\0"
EVENTPIPE = 0x02
STOP_TRACING = 0x01
COLLECT_TRACING2 = 0x03
GC_HEAP_COLLECT = 0x800000
NETTRACE_FORMAT = 1


def ipc_string(text: str) -> bytes:
    if not text:
        return struct.pack("<I", 0)
    encoded = (text + "\0").encode("utf-16-le")
    return struct.pack("<I", len(text) + 1) + encoded


def message(command_id: int, payload: bytes) -> bytes:
    return MAGIC + struct.pack("<HBBH", len(MAGIC) + 6 + len(payload), EVENTPIPE, command_id, 0) + payload


def connect(pid: int) -> socket.socket:
    tmp = os.environ.get("TMPDIR", "/tmp")
    paths = glob.glob(os.path.join(tmp, f"dotnet-diagnostic-{pid}-*-socket"))
    if not paths:
        raise FileNotFoundError(f"no diagnostics socket for process {pid} in {tmp}")
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect(max(paths, key=os.path.getmtime))
    return conn


def read_reply(conn: socket.socket) -> bytes:
    header = b""
    while len(header) < 20:
        chunk = conn.recv(20 - len(header))
        if not chunk:
            raise ConnectionError("diagnostics socket closed before the reply")
        header += chunk
    size, command_set, command_id, _ = struct.unpack("<HBBH", header[14:20])
    payload = b""
    while len(payload) < size - 20:
        payload += conn.recv(size - 20 - len(payload))
    if command_set != 0xFF or command_id != 0x00:
        raise RuntimeError(f"runtime refused the session: {command_set:#x}/{command_id:#x} {payload.hex()}")
    return payload


def induce_gc(pid: int) -> None:
    provider = struct.pack("<QI", GC_HEAP_COLLECT, 4) + ipc_string("Microsoft-Windows-DotNETRuntime") + ipc_string("")
    payload = struct.pack("<IIB", 16, NETTRACE_FORMAT, 0) + struct.pack("<I", 1) + provider
    session = connect(pid)
    session.sendall(message(COLLECT_TRACING2, payload))
    session_id = struct.unpack("<Q", read_reply(session)[:8])[0]
    deadline = time.monotonic() + 0.5
    session.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            if not session.recv(65536):
                break
        except socket.timeout:
            pass
    stopper = connect(pid)
    stopper.sendall(message(STOP_TRACING, struct.pack("<Q", session_id)))
    read_reply(stopper)
    stopper.close()
    session.settimeout(5)
    try:
        while session.recv(65536):
            pass
    except socket.timeout:
        pass
    session.close()


if __name__ == "__main__":
    try:
        induce_gc(int(sys.argv[1]))
    except (OSError, RuntimeError, ValueError, IndexError) as error:
        print(f"dotnet_gc.py: {error}", file=sys.stderr)
        sys.exit(1)
