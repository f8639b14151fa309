# bash completion for runner(1): commands, global and per-command options,
# option values (folders, files, layouts, tools), and for migrate-to,
# rollback and stamp the versions of the migration files in the folders
# --dir names (else $MIGRATIONS_DIR, else .env's, else migrations), read
# from their names alone: nothing connects to a database.
#
# Installed as /usr/share/bash-completion/completions/runner; or source it
# from ~/.bashrc. The lists follow `runner help` and `runner help COMMAND`
# (tests/t0061-completion.sh checks them against it).

_runner_commands='status migrate up migrate-to rollback down redo
	create-migration new init reset repair stamp adopt lint show-schema
	load verify backup backups restore embed wait version help'

_runner_global='--backup-dir --canary --create --db --db-list --dir
	--env-file --fail-fast -j --jobs --lock-timeout --schema-file --table
	--url --wait -q --quiet -h --help -V --version'

# _runner_options COMMAND: the command's own options.
_runner_options()
{
	case $1 in
	status) echo --exit-code --ignore-column-order --json --no-drift \
		--quiet -q ;;
	migrate|up) echo --allow-out-of-order --backup --dry-run --json \
		--single-transaction ;;
	migrate-to) echo --allow-out-of-order --backup --dry-run --json ;;
	rollback|down) echo --all --json --no-backup --yes -y ;;
	redo) echo --json --no-backup --yes -y ;;
	reset|restore) echo --no-backup --yes -y ;;
	create-migration|new) echo --description --layout ;;
	repair|stamp) echo --yes -y ;;
	adopt) echo --allow-missing --yes -y --from ;;
	lint) echo --strict ;;
	verify) echo --ignore-column-order --json --live ;;
	backup) echo --force --json --keep --level --output ;;
	embed) echo --name ;;
	wait) echo --timeout ;;
	esac
}

# _runner_takes_value COMMAND OPTION: whether OPTION takes the next word.
_runner_takes_value()
{
	case $2 in
	--backup-dir|--db|--dir|--env-file|--lock-timeout|--schema-file|\
	--table|--url|--db-list|--canary|-j|--jobs) return 0 ;;
	esac
	case $1:$2 in
	create-migration:--description|create-migration:--layout|\
	new:--description|new:--layout|adopt:--from|backup:--keep|\
	backup:--level|backup:--output|wait:--timeout|embed:--name) return 0 ;;
	esac
	return 1
}

# _runner_dirs: the migrations folders this command line reads, one a line.
_runner_dirs()
{
	local i w v dirs='' envfile=.env line
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		v=${COMP_WORDS[i + 1]}
		# --dir=X arrives as three words, bash breaking at "=".
		[[ $v == = ]] && v=${COMP_WORDS[i + 2]}
		case $w in
		--dir) dirs=${dirs:+$dirs:}$v ;;
		--env-file) envfile=$v ;;
		esac
	done
	if [[ -z $dirs ]]; then
		dirs=$MIGRATIONS_DIR
	fi
	if [[ -z $dirs && -f ${envfile/#\~/$HOME} ]]; then
		# A plain MIGRATIONS_DIR line; values with ${...} are left alone.
		line=$(sed -n 's/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}MIGRATIONS_DIR=//p' \
			"${envfile/#\~/$HOME}" 2>/dev/null | tail -n 1)
		line=${line%%[[:space:]]#*}
		line=${line#[\"\']}
		line=${line%[\"\']}
		[[ $line == *'$'* ]] || dirs=$line
	fi
	: "${dirs:=migrations}"
	local IFS=:
	for w in $dirs; do
		printf '%s\n' "${w/#\~/$HOME}"
	done
}

# _runner_versions FOLDER...: the versions of the migrations in them, as
# their file names write them, in version order.
_runner_versions()
{
	local d f name v
	for d in "$@"; do
		for f in "$d"/*; do
			[[ -e $f ]] || continue
			name=${f##*/}
			v=
			if [[ -d $f ]]; then
				# diesel: 2026-11-21-104500_name/, version 20261121104500
				[[ $name =~ ^([0-9][0-9-]*)_ ]] &&
					v=${BASH_REMATCH[1]//-/}
			elif [[ $name =~ ^V([0-9]+([._][0-9]+)*)__.*\.sql$ ]]; then
				v=${BASH_REMATCH[1]//_/.}
			elif [[ $name == *.down.sql ]]; then
				continue
			elif [[ $name =~ ^([0-9]+)[_-].*\.sql$ ]]; then
				v=${BASH_REMATCH[1]}
			fi
			[[ -n $v ]] && printf '%s\n' "$v"
		done
	done | sort -u -V
}

_runner()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd='' i w
	local -a dirs
	COMPREPLY=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if _runner_takes_value "$cmd" "$w"; then
			((i++))
			[[ ${COMP_WORDS[i]} == = ]] && ((i++))
		elif [[ $w != -* && -z $cmd ]]; then
			cmd=$w
		fi
	done

	# --dir=X arrives as "--dir" "=" "X" (or "--dir" "=" just after the
	# "="), bash breaking words at "=": X is the value being completed.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	if ((COMP_CWORD > 1)) && _runner_takes_value "$cmd" "$prev"; then
		case $prev in
		--dir|--backup-dir)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -d -- "$cur")) ;;
		--db|--url|--env-file|--schema-file|--output|--db-list)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		--layout)
			COMPREPLY=($(compgen -W 'runner dbmate goose golang-migrate
				sqlx diesel flyway' -- "$cur")) ;;
		--from)
			COMPREPLY=($(compgen -W 'dbmate goose golang-migrate flyway
				sqlx diesel' -- "$cur")) ;;
		--level)
			COMPREPLY=($(compgen -W '0 1 2 3 4 5 6 7 8 9' -- "$cur")) ;;
		esac
		return 0
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_runner_options "$cmd") $_runner_global" \
			-- "$cur"))
		return 0
	fi

	case $cmd in
	'')
		COMPREPLY=($(compgen -W "$_runner_commands" -- "$cur")) ;;
	migrate-to|rollback|down|stamp)
		mapfile -t dirs < <(_runner_dirs)
		COMPREPLY=($(compgen -W "$(_runner_versions "${dirs[@]}")" \
			-- "$cur")) ;;
	restore|load|lint)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	help)
		COMPREPLY=($(compgen -W "$_runner_commands" -- "$cur")) ;;
	esac
	return 0
}

complete -F _runner runner
