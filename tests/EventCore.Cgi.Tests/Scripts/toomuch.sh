#!/bin/sh
# Declares 3 bytes, writes more: only 3 go out.
printf 'Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nabcdefgh'
