#!/bin/sh
# Sends its headers and the pids of itself and a sleeping child, then hangs.
sleep 300 &
printf 'Content-Type: text/plain\r\n\r\n%s %s\n' "$$" "$!"
sleep 300
