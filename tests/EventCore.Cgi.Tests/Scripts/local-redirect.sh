#!/bin/sh
printf 'Location: /cgi-bin/env.sh/from-redirect?via=local\r\n\r\n'
