#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n%s|%s|%s\n' "$SCRIPT_NAME" "$PATH_INFO" "$(pwd)"
