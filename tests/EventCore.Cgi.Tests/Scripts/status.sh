#!/bin/sh
printf 'Status: 418 I am a teapot\r\n'
printf 'Content-Type: text/plain; charset=utf-8\r\n'
printf 'X-Custom: custom value\r\n'
printf 'Set-Cookie: a=1; Path=/\r\n'
printf 'Set-Cookie: b=2; Path=/\r\n'
printf 'Connection: keep-alive-please\r\n'
printf '\r\n'
printf 'short and stout'
