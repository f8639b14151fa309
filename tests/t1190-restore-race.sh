#!/bin/bash
# t1190-restore-race: restore racing migrate, round after round: both exit
# 0, and the end state is one of the two orders (restore then migrate:
# the backup with every migration; migrate then restore: the backup as
# it was), never a mix, a lost migration or a damaged file.

. "$(dirname "$0")/lib.sh"

ROUNDS=$(rounds RESTORE_RACE_ROUNDS 4 8 2)

# state DB: the marker row, the applied versions and the tables, on one line.
state () {
	sqlite3 -batch "$1" "SELECT m FROM marker;
		SELECT group_concat(version, ',') FROM (SELECT version FROM schema_migrations ORDER BY version);
		SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'm0%' ORDER BY name)" | xargs
}

test_expect_success 'setup: a backup at 001 and twenty migrations after it' '
	write_migration 001 marker "CREATE TABLE marker (m); INSERT INTO marker VALUES ('"'"'backup'"'"');" &&
	runner migrate -q &&
	runner backup -q --output at001.gz &&
	for v in $(seq 2 21)
	do
		v=$(printf %03d $v) &&
		write_migration $v m$v "CREATE TABLE m$v (x);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) INSERT INTO m$v SELECT i FROM c;" || return 1
	done &&
	runner migrate -q &&
	state app.db >full &&
	test_equal "backup $(seq -f %03g -s , 1 21) $(seq -f m%03g -s , 2 21)" "$(cat full)" &&
	runner restore --yes --no-backup at001.gz >/dev/null &&
	test_equal "backup 001" "$(state app.db)"
'

test_expect_success "restore racing migrate, $ROUNDS rounds" '
	i=0 &&
	while test $i -lt $ROUNDS
	do
		i=$((i + 1)) &&
		runner restore --yes --no-backup at001.gz >/dev/null &&
		# odd rounds start the restore first, even ones the migrate
		if test $((i % 2)) = 1
		then
			{ runner --lock-timeout 120 restore --yes --no-backup at001.gz >r.out 2>r.err & } &&
			rpid=$! &&
			{ runner --lock-timeout 120 migrate >m.out 2>m.err & } &&
			mpid=$!
		else
			{ runner --lock-timeout 120 migrate >m.out 2>m.err & } &&
			mpid=$! &&
			{ runner --lock-timeout 120 restore --yes --no-backup at001.gz >r.out 2>r.err & } &&
			rpid=$!
		fi &&
		wait $mpid && mrc=0 || mrc=$?
		wait $rpid && rrc=0 || rrc=$?
		s=$(state app.db) &&
		echo "round $i: migrate $mrc, restore $rrc: $s" &&
		test "$mrc" = 0 && test "$rrc" = 0 &&
		test_must_be_empty m.err && test_must_be_empty r.err &&
		case "$s" in
		"backup 001"|"$(cat full)") ;;
		*) echo "a mix: $s"; false ;;
		esac &&
		test_equal ok "$(sql app.db "PRAGMA integrity_check")" || return 1
	done
'

test_done
