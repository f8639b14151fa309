#!/bin/bash
# t3050-shared-mysql: the shared command suite (shared-commands.sh) on a
# throwaway MariaDB server, its third driver; t0350-shared-sqlite and
# t2050-shared-pg run it on the other two.

DRIVER=mysql
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/lib-mysql.sh"
. "$TEST_DIRECTORY/lib-driver.sh"
. "$TEST_DIRECTORY/shared-commands.sh"

test_done
