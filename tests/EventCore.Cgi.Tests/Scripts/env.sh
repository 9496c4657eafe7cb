#!/bin/sh
# Dumps what a CGI script sees: its environment, folder, process group and open descriptors.
printf 'Content-Type: text/plain\r\n\r\n'
env
echo "CWD=$(pwd)"
# /proc/PID/stat after the command name: state ppid pgrp session ...
set -- $(sed 's/^.*) //' /proc/$$/stat)
echo "PROC=$$ $3 $4"
# The shell's descriptors, listed by a child (no command substitution: its pipe would show up).
ls -l /proc/$$/fd
