#!/bin/sh
# Header lines ended by LF alone (RFC 3875 allows it), and a Content-Length.
printf 'Content-Type: text/plain\nContent-Length: 5\n\nhello'
