#!/bin/sh
# Starts a child that sleeps, records both pids (stderr and pids-QUERY_STRING), then hangs before any header.
sleep 300 &
echo "$$ $!" > "pids-$QUERY_STRING"
echo "pids $$ $!" >&2
sleep 300
