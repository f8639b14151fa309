#!/bin/bash
# t0061-completion: the bash and zsh completions (contrib/completion/)
# offer the commands and options runner help lists, option values, and
# the versions of the migration files in the folders the command line
# reads, without a database. The zsh cases run in a real interactive zsh
# on a pseudo-terminal (tests/zsh-complete.zsh) and are skipped, saying
# so, without zsh.

. "$(dirname "$0")/lib.sh"

BASH_COMPLETION="$SOURCE_DIRECTORY/contrib/completion/runner.bash"
ZSH_COMPLETION_DIR="$SOURCE_DIRECTORY/contrib/completion"
command -v zsh >/dev/null 2>&1 && test_set_prereq ZSH

# bash_complete WORD...: what the bash completion offers for the command
# line "runner WORD..." with the cursor at the end of the last WORD, sorted.
bash_complete () {
	timeout "$RUNNER_TIMEOUT" bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_runner runner "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"
	' bash_complete "$BASH_COMPLETION" runner "$@" | sed "/^\$/d" | sort -u
}

# bash_complete_lines LINE...: what the bash completion offers for each
# command line LINE (words split at spaces; a LINE that ends in a space
# completes an empty word), each list sorted after a "== LINE" header.
bash_complete_lines () {
	timeout "$RUNNER_TIMEOUT" bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		for line
		do
			read -r -a COMP_WORDS <<<"$line"
			case $line in *" ") COMP_WORDS+=("") ;; esac
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$line
			COMP_POINT=${#line}
			_runner runner "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
			echo "== $line"
			printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort -u
		done
	' bash_complete_lines "$BASH_COMPLETION" "$@"
}

# zsh_complete LINE...: the matches zsh offers for each LINE, each list
# sorted after a "== LINE" header.
zsh_complete () {
	timeout "$RUNNER_TIMEOUT" zsh -f "$TEST_DIRECTORY/zsh-complete.zsh" \
		"$ZSH_COMPLETION_DIR" "$PWD/zsh.raw" "$@" &&
	awk '
		/^== / { flush(); print; next }
		{ m[$0] = 1 }
		function flush(  k, n, a, i) {
			n = 0
			for (k in m) a[++n] = k
			asort_(a, n)
			for (i = 1; i <= n; i++) print a[i]
			delete m
		}
		function asort_(a, n,  i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
		}
		END { flush() }' zsh.raw
}

# help_words [COMMAND]: the option words runner help COMMAND lists (or the
# global ones), aliases included, sorted.
help_words () {
	local which=options
	test $# = 0 && which=global
	runner help "$@" | awk -v which="$which" '
		/^[a-z]/ { on = (index($0, which) == 1); next }
		on && /^  -/ {
			print $1
			if (match($0, /\(also -[^ )]*\)$/))
				print substr($0, RSTART + 6, RLENGTH - 7)
		}' | sort -u
}

test_expect_success 'setup' '
	runner help >help &&
	sed -n "/^commands:/,/^\$/s/^  \([a-z][a-z-]*\) .*/\1/p" help >commands &&
	sed -n "s/^  [a-z-]* .*(also: \([a-z]*\))\$/\1/p" help >aliases &&
	test_line_count -ge 20 commands &&
	test_line_count = 3 aliases &&
	sort -u commands aliases >all-commands &&
	help_words >global &&
	test_line_count -ge 10 global &&
	while read -r name
	do
		echo "== runner $name -" &&
		help_words "$name" >own &&
		sort -u own global || return 1
	done <all-commands >per-command &&
	sed "s/^/runner /; s/\$/ -/" all-commands >per-command-lines &&
	mkdir -p migrations/seeds other goose flyway diesel/2026-11-21-104500_users pairs &&
	touch migrations/001_users.sql migrations/002_posts.sql \
		migrations/010_tags.sql migrations/seeds/001_data.sql \
		migrations/README.md &&
	touch goose/00001_a.sql goose/00002_b.sql &&
	touch flyway/V1.2__a.sql flyway/U1.2__a.sql flyway/V1_10__b.sql \
		flyway/V1.2__a.sql.conf &&
	touch diesel/2026-11-21-104500_users/up.sql \
		diesel/2026-11-21-104500_users/down.sql &&
	mkdir diesel/00000000000000_diesel_initial_setup &&
	touch pairs/000001_a.up.sql pairs/000001_a.down.sql \
		pairs/000002_b.up.sql &&
	touch other/20261121104500_x.sql
'

test_expect_success 'bash: the commands and their aliases, by prefix' '
	bash_complete "" >out &&
	test_cmp all-commands out &&
	bash_complete mig >out &&
	printf "%s\n" migrate migrate-to >want &&
	test_cmp want out &&
	bash_complete --db app.db res >out &&
	printf "%s\n" reset restore >want &&
	test_cmp want out
'

test_expect_success 'bash: the global options are runner help'"'"'s' '
	bash_complete - >out &&
	test_cmp global out
'

test_expect_success 'bash: each command offers its own options and the global ones' '
	mapfile -t lines <per-command-lines &&
	bash_complete_lines "${lines[@]}" >out &&
	test_cmp per-command out
'

test_expect_success 'bash: migrate-to, rollback and stamp offer the versions of migrations/' '
	printf "%s\n" 001 002 010 >want &&
	bash_complete migrate-to "" >out &&
	test_cmp want out &&
	bash_complete rollback "" >out &&
	test_cmp want out &&
	bash_complete down --yes 0 >out &&
	test_cmp want out &&
	bash_complete stamp --yes 01 >out &&
	echo 010 >want &&
	test_cmp want out
'

test_expect_success 'bash: versions in every layout, from --dir before or after the command' '
	bash_complete --dir goose rollback "" >out &&
	printf "%s\n" 00001 00002 >want &&
	test_cmp want out &&
	bash_complete rollback --dir flyway "" >out &&
	printf "%s\n" 1.10 1.2 >want &&
	test_cmp want out &&
	bash_complete --dir diesel migrate-to "" >out &&
	printf "%s\n" 00000000000000 20261121104500 >want &&
	test_cmp want out &&
	bash_complete --dir pairs migrate-to "" >out &&
	printf "%s\n" 000001 000002 >want &&
	test_cmp want out
'

test_expect_success 'bash: several folders (--dir twice, A:B), $MIGRATIONS_DIR, .env' '
	printf "%s\n" 00001 00002 20261121104500 >want &&
	bash_complete --dir goose --dir other rollback "" >out &&
	test_cmp want out &&
	bash_complete --dir goose:other rollback "" >out &&
	test_cmp want out &&
	# --dir=A:B, as bash splits it into words at "="
	bash_complete --dir = goose:other rollback "" >out &&
	test_cmp want out &&
	MIGRATIONS_DIR=goose:other bash_complete rollback "" >out &&
	test_cmp want out &&
	mkdir envdir &&
	(
		cd envdir &&
		mkdir db &&
		touch db/007_x.sql &&
		echo "export MIGRATIONS_DIR=\"db\" # the folder" >.env &&
		echo 007 >want &&
		bash_complete rollback "" >out &&
		test_cmp want out &&
		echo "MIGRATIONS_DIR=elsewhere" >.env &&
		echo "MIGRATIONS_DIR='"'"'db'"'"'" >my.env &&
		bash_complete --env-file my.env rollback "" >out &&
		test_cmp want out &&
		echo "MIGRATIONS_DIR=\${DIR}" >.env &&
		bash_complete rollback "" >out &&
		test_must_be_empty out
	)
'

test_expect_success 'bash: option values: folders, layouts, tools, levels, commands for help' '
	bash_complete --dir "" >out &&
	test_grep -x migrations out &&
	test_grep ! -x help out &&
	bash_complete --dir = "" >out &&
	test_grep -x migrations out &&
	test_grep ! -x help out &&
	bash_complete --dir = >out &&
	test_grep -x migrations out &&
	bash_complete create-migration --layout go >out &&
	printf "%s\n" golang-migrate goose >want &&
	test_cmp want out &&
	bash_complete adopt --from d >out &&
	printf "%s\n" dbmate diesel >want &&
	test_cmp want out &&
	bash_complete backup --level "" >out &&
	test_line_count = 10 out &&
	bash_complete backup --keep "" >out &&
	test_must_be_empty out &&
	bash_complete help st >out &&
	printf "%s\n" stamp status >want &&
	test_cmp want out &&
	bash_complete --table "" >out &&
	test_must_be_empty out
'

test_expect_success ZSH 'zsh: commands, options, versions and values' '
	mapfile -t lines <per-command-lines &&
	zsh_complete "runner " "runner mig" "runner -" "runner --dir goose:other rollback " \
		"runner migrate-to " "runner --dir flyway stamp --yes " \
		"runner backup --level " "runner adopt --from d" \
		"runner migrate-to --table t --dir flyway " \
		"${lines[@]}" >out &&
	{
		echo "== runner " && cat all-commands &&
		echo "== runner mig" && printf "%s\n" migrate migrate-to &&
		echo "== runner -" && cat global &&
		echo "== runner --dir goose:other rollback " &&
		printf "%s\n" 00001 00002 20261121104500 &&
		echo "== runner migrate-to " && printf "%s\n" 001 002 010 &&
		echo "== runner --dir flyway stamp --yes " &&
		printf "%s\n" 1.10 1.2 &&
		echo "== runner backup --level " && printf "%s\n" 0 1 2 3 4 5 6 7 8 9 &&
		echo "== runner adopt --from d" && printf "%s\n" dbmate diesel &&
		echo "== runner migrate-to --table t --dir flyway " &&
		printf "%s\n" 1.10 1.2 &&
		cat per-command
	} >want &&
	test_cmp want out
'

test_done
