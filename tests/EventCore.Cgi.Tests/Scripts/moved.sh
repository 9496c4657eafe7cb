#!/bin/sh
printf 'Status: 301 Moved Permanently\r\nLocation: /new-place\r\nContent-Type: text/plain\r\n\r\nmoved'
