#!/usr/bin/env python3
"""Seeds Corpus/ from the hand-written test cases (the first string argument of every [InlineData(...)] in the
parser, framing, chunked-decoder and path-decoder tests). Run from anywhere; rewrites Corpus/{head,chunked,path,
differential} (files named by a hash of their content, so reruns are stable). AFL++ and the mutator grow from these."""
import hashlib
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "EventCore.Server.Tests")
LITERAL = r'"((?:[^"\\]|\\.)*)"'
CHUNKED_HEAD = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


def unescape(s):
    out, i = [], 0
    simple = {"r": "\r", "n": "\n", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "u":
                out.append(chr(int(s[i + 2:i + 6], 16))); i += 6; continue
            if n == "x":
                m = re.match(r"[0-9a-fA-F]{1,4}", s[i + 2:])
                out.append(chr(int(m.group(0), 16))); i += 2 + len(m.group(0)); continue
            out.append(simple[n]); i += 2; continue
        out.append(c); i += 1
    return "".join(out)


def cases(file_name):
    text = open(os.path.join(TESTS, file_name), encoding="utf-8").read()
    consts = {m.group(1): unescape(m.group(2)) for m in re.finditer(r"const string (\w+) = " + LITERAL + ";", text)}
    for m in re.finditer(r"\[InlineData\(((?:\w+ \+ )?" + LITERAL + r"(?: \+ " + LITERAL + r")*)", text):
        expr = m.group(1)
        value = ""
        for part in re.finditer(r"(\w+)(?= \+)|" + LITERAL, expr):
            value += consts.get(part.group(1), "") if part.group(1) else unescape(part.group(2))
        yield value


def write(folder, values):
    path = os.path.join(HERE, "Corpus", folder)
    os.makedirs(path, exist_ok=True)
    for old in os.listdir(path):
        os.remove(os.path.join(path, old))
    for value in set(values):
        data = value.encode("latin-1") if all(ord(ch) < 256 for ch in value) else value.encode("utf-8")
        with open(os.path.join(path, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
            f.write(data)
    return len(set(values))


heads = [c for f in ["HttpParserTests.cs", "HttpParserTests.Headers.cs", "HttpParserTests.Limits.cs", "HttpParserTests.Llhttp.cs",
                     "RequestFramingTests.cs", "RequestFramingTests.Smuggling.cs", "RequestFramingTests.Host.cs"]
         if os.path.exists(os.path.join(TESTS, f)) for c in cases(f)]
chunked = [c for f in ["ChunkedDecoderTests.cs", "FunkyChunksTests.cs"] for c in cases(f)]
paths = list(cases("PathDecoderTests.cs"))
print("head", write("head", heads))
print("chunked", write("chunked", chunked))
print("path", write("path", paths))
print("differential", write("differential", heads + [CHUNKED_HEAD + c for c in chunked]
                            + ["POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"]))
