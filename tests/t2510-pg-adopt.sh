#!/bin/bash
# t2510-pg-adopt: adopting other tools' histories (shared-adopt.sh) on a
# throwaway PostgreSQL server; t0710-adopt-sqlite runs it on SQLite.

DRIVER=pg
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-pg.sh"
. "$TEST_DIRECTORY/lib-driver.sh"
. "$TEST_DIRECTORY/shared-adopt.sh"

test_done
