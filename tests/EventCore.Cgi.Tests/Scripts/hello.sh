#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nhello %s\n' "$QUERY_STRING"
