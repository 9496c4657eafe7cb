#!/bin/sh
# QUERY_STRING: "<bytes>" or "<bytes>&length": that many bytes of "0123456789abcdef\n" repeated.
n=${QUERY_STRING%%&*}
if [ "$QUERY_STRING" != "$n" ]; then
  printf 'Content-Type: text/plain\r\nContent-Length: %s\r\n\r\n' "$n"
else
  printf 'Content-Type: text/plain\r\n\r\n'
fi
yes 0123456789abcdef | head -c "$n"
