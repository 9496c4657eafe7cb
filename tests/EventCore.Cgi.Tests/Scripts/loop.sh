#!/bin/sh
printf 'Location: /cgi-bin/loop.sh\r\n\r\n'
