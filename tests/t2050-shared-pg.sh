#!/bin/bash
# t2050-shared-pg: the shared command suite (shared-commands.sh) on a
# throwaway PostgreSQL server; t0350-shared-sqlite runs it on SQLite.

DRIVER=pg
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"
. "$TEST_DIRECTORY/lib-driver.sh"
. "$TEST_DIRECTORY/shared-commands.sh"

test_done
