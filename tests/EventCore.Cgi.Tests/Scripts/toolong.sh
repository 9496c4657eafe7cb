#!/bin/sh
# Declares 10 bytes, writes 3: the response must be cut off, not padded.
printf 'Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc'
