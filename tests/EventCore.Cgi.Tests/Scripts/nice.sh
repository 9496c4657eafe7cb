#!/bin/sh
# Reads its request body first (the server sends it after the spawn's set-up), then reports the nice value it
# runs at (field 19 of /proc/PID/stat) and its autogroup's ("/autogroup-N nice V"; none without autogroups).
read -r _
printf 'Content-Type: text/plain\r\n\r\n'
cut -d" " -f19 /proc/$$/stat
cat /proc/$$/autogroup 2>/dev/null || echo none
