#!/bin/sh
echo "cli_test: not written yet" >&2
exit 1
