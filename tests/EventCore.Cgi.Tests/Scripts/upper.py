import sys
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\r\n\r\n")
while True:
    chunk = sys.stdin.buffer.read1(65536)
    if not chunk:
        break
    out.write(chunk.upper())
out.flush()
