#!/bin/zsh -f
# tests/zsh-complete.zsh: zsh completion as a person at a terminal gets it,
# for t0061-completion.sh. A wrapper around compadd records every match.
#
# zsh -f zsh-complete.zsh COMPDIR OUT LINE...: complete each LINE in an interactive zsh,
# and write the matches zsh offered for it to OUT, a "== LINE" header first.
zmodload zsh/zpty || exit 1
compdir=$1 out=$2
shift 2
: >$out
zpty z env TERM=dumb zsh -f -i
zpty -w z "PS1='' PROMPT_EOL_MARK='' fpath=($compdir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; (( \$#__m )) && print -rl -- \$__m >>$out; builtin compadd \"\$@\"; }"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; setopt nolistbeep nobeep; unsetopt automenu"
# TAB completes, then says so on the terminal: the next key is sent only
# then, as completion leaves out what it finds with keys typed ahead.
zpty -w z "complete-then-say() { zle complete-word; print -n @@COMPLETED@@ >/dev/tty; }; zle -N complete-then-say; bindkey '^I' complete-then-say"
# Each step waits for what the shell prints when it has run, never for the
# echo of what was typed (hence "SY""NC": the echo does not match).
k=0
for line; do
	(( k++ ))
	zpty -w z "print -r -- '== $line' >>$out; print SY\"\"NC-$k"
	zpty -r z x "*SYNC-$k*" || exit 1
	zpty -w -n z "$line"$'\t'
	zpty -r z x '*@@COMPLETED@@*' || exit 1
	zpty -w -n z $'\C-u'
	zpty -w z "print DO\"\"NE-$k"
	zpty -r z x "*DONE-$k*" || exit 1
done
zpty -d z
