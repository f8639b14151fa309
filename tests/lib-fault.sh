# tests/lib-fault.sh: runs runner with tests/fault/faultfs.so preloaded, so
# that its Nth open, read, write, fsync, rename, link, unlink, ftruncate,
# close, chmod or mkdir under the current folder fails. Sourced after lib.sh.
#
# make check builds the library into the binary's build folder and names it
# in FAULTFS; without FAULTFS it is looked for next to RUNNER (prerequisite
# FAULTFS, so a test run by hand without it is skipped visibly). Named but
# missing, it stops the script: CI never skips these tests silently.

FAULTFS_LIB=$FAULTFS
if test -z "$FAULTFS_LIB"; then
	FAULTFS_LIB=$(dirname "${VALGRIND_BIN:-$RUNNER}")/faultfs.so
fi
if test -f "$FAULTFS_LIB"; then
	test_set_prereq FAULTFS
elif test -n "$FAULTFS"; then
	echo "Bail out! the fault-injection library $FAULTFS is missing"
	exit 1
fi

# with_fault OP N ERRNO CMD...: runs CMD (a runner call) with the Nth call
# of OP on a path under the current folder failing with ERRNO (EIO, ENOSPC,
# EACCES...); with FAULT_MATCH set, the Nth of those whose path holds it.
# N=0 fails none. Each counted call is appended to $FAULT_LOG
# (default .fault-log) as "OP N PATH"; the failed one as "FAIL OP N PATH".
with_fault () {
	local op=$1 nth=$2 errno=$3 wrap="$TRASH_DIRECTORY/.faultfs-runner"
	shift 3
	# Only the binary gets the library: not the shell, timeout or cat.
	if ! test -x "$wrap"
	then
		printf '#!/bin/sh\nexec env LD_PRELOAD="$FAULTFS_LIB" "$FAULT_RUNNER" "$@"\n' >"$wrap" &&
		chmod +x "$wrap" || return 1
	fi
	FAULT_DIR=$(pwd -P) FAULT_OP=$op FAULT_NTH=$nth FAULT_ERRNO=$errno \
	FAULT_MATCH=${FAULT_MATCH:-} \
	FAULT_LOG=${FAULT_LOG:-$(pwd -P)/.fault-log} \
	FAULTFS_LIB=$FAULTFS_LIB FAULT_RUNNER=$RUNNER RUNNER=$wrap \
	ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 "$@"
}

# fault_count OP: how many calls of OP the last with_fault runs logged.
fault_count () {
	grep -c "^$1 " "${FAULT_LOG:-.fault-log}"
}
