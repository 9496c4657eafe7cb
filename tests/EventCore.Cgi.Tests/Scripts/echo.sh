#!/bin/sh
# Sends the request body back: stdin to stdout, through cat (back-pressure both ways).
printf 'Content-Type: application/octet-stream\r\nX-Content-Length: %s\r\n\r\n' "${CONTENT_LENGTH-none}"
exec cat
