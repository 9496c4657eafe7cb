import html
import os
import sys
from urllib.parse import parse_qs

query = parse_qs(os.environ.get("QUERY_STRING", ""))
name = html.escape(query.get("name", ["world"])[0])
body = sys.stdin.read() if os.environ.get("REQUEST_METHOD") == "POST" else ""
sys.stdout.write("Content-Type: text/html; charset=utf-8\r\n\r\n")
sys.stdout.write(f"<!DOCTYPE html><html><head><title>Python</title><link rel=\"stylesheet\" href=\"/style.css\"></head>"
                 f"<body><h1>Hello, {name}, from Python</h1><p>Method {html.escape(os.environ['REQUEST_METHOD'])}, "
                 f"PATH_INFO {html.escape(os.environ.get('PATH_INFO', ''))!r}, body {len(body)} bytes.</p></body></html>\n")
