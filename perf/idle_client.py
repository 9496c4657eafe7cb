#!/usr/bin/env python3
"""Idle keep-alive connection client for perf/run.sh's idle-memory measurement.

Opens COUNT keep-alive connections to HOST:PORT, sends one GET on each and reads the whole response,
then holds every socket open and idle until it is killed (or --hold seconds pass). When all
connections have been answered it writes "ok=N failed=M" to --ready-file (atomically), so the
caller can read the server's RSS while the connections sit idle.

Needs `ulimit -n` above COUNT (the caller raises it).
"""

import argparse
import asyncio
import os
import signal
import sys


async def open_one(host: str, port: int, request: bytes, gate: asyncio.Semaphore, timeout: float):
    """Connects, sends one request, reads its response; returns the open stream pair or None."""
    async with gate:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            status_line, _, fields = head.partition(b"\r\n")
            if not status_line.startswith(b"HTTP/1.1 2"):
                writer.close()
                return None
            length = 0
            for line in fields.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await asyncio.wait_for(reader.readexactly(length), timeout)
            return reader, writer
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return None


def write_ready(path: str, text: str) -> None:
    temp = path + ".tmp"
    with open(temp, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
    os.replace(temp, path)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--path", default="/plaintext")
    parser.add_argument("--ready-file", default="")
    parser.add_argument("--hold", type=float, default=120.0, help="seconds to hold the idle connections at most")
    parser.add_argument("--concurrency", type=int, default=256, help="connects in flight at once")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()

    request = f"GET {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n\r\n".encode("ascii")
    gate = asyncio.Semaphore(args.concurrency)
    results = await asyncio.gather(*(open_one(args.host, args.port, request, gate, args.timeout) for _ in range(args.count)))
    open_streams = [pair for pair in results if pair is not None]
    status = f"ok={len(open_streams)} failed={args.count - len(open_streams)}"
    print(status, flush=True)
    if args.ready_file:
        write_ready(args.ready_file, status)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.hold)
    except asyncio.TimeoutError:
        pass
    for _, writer in open_streams:
        writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
