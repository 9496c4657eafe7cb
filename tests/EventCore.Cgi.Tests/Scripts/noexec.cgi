#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nshould never run\n'
