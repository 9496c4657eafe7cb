#!/bin/sh
echo "hello world, no headers here"
echo
echo "body"
