#!/bin/sh
echo "first problem line" >&2
printf 'Content-Type: text/plain\r\n\r\nok'
echo "second problem line" >&2
