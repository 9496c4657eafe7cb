#!/bin/sh
printf 'Location: /hello?from=cgi\r\n\r\n'
