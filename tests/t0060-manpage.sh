#!/bin/bash
# t0060-manpage: doc/runner.1 is clean mdoc, and documents exactly what the
# binary has: each synopsis is the usage line `runner help COMMAND` prints,
# every command `runner help` lists has an entry, each entry lists exactly
# the command's options, the global options and the environment variables
# are those `runner help` names. Needs mandoc (scripts/install-deps test).

. "$(dirname "$0")/lib.sh"

: "${MANPAGE:=$SOURCE_DIRECTORY/doc/runner.1}"
command -v mandoc >/dev/null 2>&1 && test_set_prereq MANDOC

# The page as plain text, one line per synopsis and list head (no wrapping),
# without the overstrikes of bold and underlined text.
render () {
	mandoc -T ascii -O width=1000 "$MANPAGE" 2>/dev/null | sed 's/.\x08//g'
}

# section NAME <rendered: the lines of one section, without its heading.
section () {
	awk -v name="$1" '/^[A-Z]/ { on = ($0 == name); next } on && NF'
}

# The heads of a list at INDENT spaces: each up to the gap before its body
# (prose at that indent is left out by the callers' patterns).
heads () {
	sed -n "s/^ \{$1\}\([^ ].*\)/\1/p" | sed 's/  .*//'
}

# help_options CMD: `runner help CMD`'s options (or, with no CMD, the global
# ones) as the man page heads them: the option, its argument, an alias.
# (Under valgrind, each `runner help CMD` runs under it once: runner_once.)
help_options () {
	local which=options
	test $# = 0 && which=global
	runner_once "help $*" help "$@" |
	awk -v which="$which" '
		/^[a-z]/ { on = (index($0, which) == 1); next }
		on && /^  -/ {
			line = substr($0, 3)
			spec = line
			sub(/  .*/, "", spec)
			if (match(line, /\(also -[^ )]*\)$/))
				spec = spec ", " substr(line, RSTART + 6, RLENGTH - 7)
			print spec
		}'
}

test_expect_success MANDOC 'mandoc -T lint finds nothing' '
	mandoc -T lint "$MANPAGE" >lint 2>&1
	rc=$? &&
	# Whether the pages SEE ALSO names are installed depends on the machine.
	grep -v -e "mandoc.db lacks" -e "referenced manual not found" lint >problems
	cat problems &&
	test_must_be_empty problems &&
	# A page not found is a STYLE message, which alone makes mandoc exit 1.
	{ test "$rc" = 0 || { test "$rc" = 1 && grep -q "referenced manual not found" lint; }; }
'

test_expect_success 'runner help lists the commands' '
	runner help >help &&
	sed -n "/^commands:/,/^\$/s/^  \([a-z][a-z-]*\) .*/\1/p" help >commands &&
	test_line_count -ge 20 commands &&
	grep -x status commands &&
	grep -x help commands
'

test_expect_success MANDOC 'SYNOPSIS: the global usage line, then each command as runner help COMMAND says' '
	render | section SYNOPSIS | sed "s/^ *//" >synopsis &&
	runner help | sed -n "s/^usage: //p" >expect &&
	while read -r name
	do
		runner_once "help $name" help "$name" | sed -n "s/^usage: //p" || return 1
	done <commands >>expect &&
	test_cmp expect synopsis
'

test_expect_success MANDOC 'COMMANDS: one entry per command, headed by its synopsis' '
	render | section COMMANDS | heads 5 | grep "^[a-z]" >entries &&
	sed "1d; s/^runner //" expect >want &&
	test_cmp want entries
'

test_expect_success MANDOC 'each command entry lists exactly the options runner help COMMAND has' '
	render | section COMMANDS >commands.txt &&
	: >mismatches &&
	while read -r name
	do
		help_options "$name" >want &&
		awk -v name="$name" "
			/^     [^ ]/ { split(substr(\$0, 6), w, \" \"); on = (w[1] == name); next }
			on" commands.txt | heads 13 | grep "^-" >have
		if ! cmp -s want have
		then
			echo "$name:" && diff want have
		fi >>mismatches || return 1
	done <commands &&
	cat mismatches &&
	test_must_be_empty mismatches
'

test_expect_success MANDOC 'the global options are those runner help lists' '
	help_options >want &&
	test_line_count -ge 10 want &&
	render | section DESCRIPTION | heads 5 | grep "^-" >have &&
	test_cmp want have
'

test_expect_success MANDOC 'every alias is named in its command entry' '
	sed -n "s/^  \([a-z-]*\) .*(also: \([a-z]*\))\$/\1 \2/p" help >aliases &&
	test_line_count = 3 aliases &&
	while read -r name alias
	do
		awk -v name="$name" "
			/^     [^ ]/ { split(substr(\$0, 6), w, \" \"); on = (w[1] == name) }
			on" commands.txt | grep -q "Also $alias\\." || {
			echo "no \"Also $alias.\" in the entry of $name"
			return 1
		}
	done <aliases
'

test_expect_success MANDOC 'ENVIRONMENT has every variable runner help names' '
	runner help | grep "^  -" | grep -o "\[\\\$[A-Z_]*\]" | tr -d "[]$" | sort -u >vars &&
	test_line_count -ge 5 vars &&
	render | section ENVIRONMENT | heads 5 | sed -n "s/^\([A-Z][A-Z_]*\)\(,.*\)*\$/\1/p" >have &&
	while read -r v
	do
		grep -q -x "$v" have || {
			echo "ENVIRONMENT lacks $v"
			return 1
		}
	done <vars
'

test_expect_success MANDOC 'EXIT STATUS lists the codes 0 to 3' '
	render | section "EXIT STATUS" | heads 5 | grep -x "[0-9]*" >codes &&
	printf "%s\n" 0 1 2 3 >want &&
	test_cmp want codes
'

test_done
