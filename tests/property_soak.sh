#!/bin/sh
# The long property run, outside CI: 1,000,000 random cases (see
# compiler/property_test.cc). Usage: tests/property_soak.sh [build-dir] [cases]
set -eu
build=${1:-build}
HARC_PROPERTY_CASES=${2:-1000000} exec "$build/tests/property_test"
