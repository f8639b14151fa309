#!/bin/bash
# t0350-shared-sqlite: the shared command suite (shared-commands.sh) on
# SQLite; t2050-shared-pg runs the same suite on PostgreSQL.

DRIVER=sqlite
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-driver.sh"
. "$TEST_DIRECTORY/shared-commands.sh"

test_done
