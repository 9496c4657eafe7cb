#!/bin/sh
printf 'Location: http://example.com/elsewhere\r\n\r\n'
