#!/bin/sh
# Answers at once, then waits for the request body to end.
printf 'Content-Type: text/plain\r\n\r\nstarted\n'
cat > /dev/null
echo done
