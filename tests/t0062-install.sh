#!/bin/bash
# t0062-install: make install puts the binary, the man page and both
# completions where Debian looks for them, under PREFIX and DESTDIR (and
# BINDIR, MANDIR and the completion folders when given), and make
# uninstall removes every file it installed, librunner's included. The
# binary installed is the one under test (RUNNER_BIN), and the library the
# one built beside it (BUILD), so nothing is built.

. "$(dirname "$0")/lib.sh"

command -v make >/dev/null 2>&1 && test_set_prereq MAKE

# The build folder of the binary under test (under valgrind, the real one).
BUILT=$(dirname "${VALGRIND_BIN:-$RUNNER}")
"$RUNNER" --version | grep -q postgresql || NOPQ=NO_LIBPQ=1

# make_runner TARGET DESTDIR [VARIABLE=VALUE...]: make TARGET into DESTDIR,
# with none of the caller's settings: not those a make check above passes
# down (MAKEFLAGS), nor folders from the environment.
make_runner () {
	local target=$1 dest=$2
	shift 2
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u BINDIR -u MANDIR \
		-u BASHCOMPDIR -u ZSHCOMPDIR -u INSTALL_FILES -u INSTALL_LINKS \
		-u LIBDIR -u INCLUDEDIR -u PKGCONFIGDIR -u SANITIZE -u NO_LIBPQ \
		make -s -C "$SOURCE_DIRECTORY" "$target" DESTDIR="$dest" \
		RUNNER_BIN="$RUNNER" BUILD="$BUILT" ${NOPQ:-} "$@"
}

install_runner () {
	make_runner install "$@"
}

uninstall_runner () {
	make_runner uninstall "$@"
}

# installed DESTDIR: every file and link under DESTDIR, with its mode.
installed () {
	(cd "$1" && find . ! -type d -printf "%M %P\n" | sort -k 2)
}

test_expect_success MAKE 'PREFIX=/usr: the places Debian expects, with their modes' '
	install_runner "$PWD/dest" PREFIX=/usr &&
	cat >want <<-\EOT &&
	-rwxr-xr-x usr/bin/runner
	-rw-r--r-- usr/include/librunner.h
	-rw-r--r-- usr/lib/librunner.a
	lrwxrwxrwx usr/lib/librunner.so
	lrwxrwxrwx usr/lib/librunner.so.0
	-rwxr-xr-x usr/lib/librunner.so.0.1.0
	-rw-r--r-- usr/lib/pkgconfig/runner.pc
	-rw-r--r-- usr/share/bash-completion/completions/runner
	-rw-r--r-- usr/share/man/man1/runner.1
	-rw-r--r-- usr/share/zsh/vendor-completions/_runner
	EOT
	installed dest >have &&
	test_cmp want have &&
	cmp "$SOURCE_DIRECTORY/doc/runner.1" dest/usr/share/man/man1/runner.1 &&
	cmp "$SOURCE_DIRECTORY/contrib/completion/_runner" dest/usr/share/zsh/vendor-completions/_runner &&
	cmp "$SOURCE_DIRECTORY/contrib/completion/runner.bash" dest/usr/share/bash-completion/completions/runner &&
	dest/usr/bin/runner --version >out &&
	test_grep "^runner [0-9]" out
'

test_expect_success MAKE 'make uninstall removes every file it installed' '
	uninstall_runner "$PWD/dest" PREFIX=/usr &&
	installed dest >have &&
	test_must_be_empty have
'

test_expect_success MAKE 'the default PREFIX is /usr/local; BINDIR, MANDIR and the completion folders can be moved' '
	install_runner "$PWD/local" &&
	cat >want <<-\EOT &&
	-rwxr-xr-x usr/local/bin/runner
	-rw-r--r-- usr/local/include/librunner.h
	-rw-r--r-- usr/local/lib/librunner.a
	lrwxrwxrwx usr/local/lib/librunner.so
	lrwxrwxrwx usr/local/lib/librunner.so.0
	-rwxr-xr-x usr/local/lib/librunner.so.0.1.0
	-rw-r--r-- usr/local/lib/pkgconfig/runner.pc
	-rw-r--r-- usr/local/share/bash-completion/completions/runner
	-rw-r--r-- usr/local/share/man/man1/runner.1
	-rw-r--r-- usr/local/share/zsh/vendor-completions/_runner
	EOT
	installed local >have &&
	test_cmp want have &&
	install_runner "$PWD/moved" BINDIR=/opt/bin MANDIR=/opt/man \
		BASHCOMPDIR=/opt/bash ZSHCOMPDIR=/opt/zsh LIBDIR=/opt/lib \
		INCLUDEDIR=/opt/include PKGCONFIGDIR=/opt/pc &&
	cat >want <<-\EOT &&
	-rw-r--r-- opt/bash/runner
	-rwxr-xr-x opt/bin/runner
	-rw-r--r-- opt/include/librunner.h
	-rw-r--r-- opt/lib/librunner.a
	lrwxrwxrwx opt/lib/librunner.so
	lrwxrwxrwx opt/lib/librunner.so.0
	-rwxr-xr-x opt/lib/librunner.so.0.1.0
	-rw-r--r-- opt/man/man1/runner.1
	-rw-r--r-- opt/pc/runner.pc
	-rw-r--r-- opt/zsh/_runner
	EOT
	installed moved >have &&
	test_cmp want have &&
	uninstall_runner "$PWD/moved" BINDIR=/opt/bin MANDIR=/opt/man \
		BASHCOMPDIR=/opt/bash ZSHCOMPDIR=/opt/zsh LIBDIR=/opt/lib \
		INCLUDEDIR=/opt/include PKGCONFIGDIR=/opt/pc &&
	installed moved >have &&
	test_must_be_empty have
'

test_expect_success MAKE 'INSTALL_LINKS: the links another part adds are made and removed too' '
	install_runner "$PWD/links" PREFIX=/usr \
		"INSTALL_LINKS=\$(BINDIR)/runner-again|runner" &&
	test "$(readlink links/usr/bin/runner-again)" = runner &&
	links/usr/bin/runner-again --version >out &&
	test_grep "^runner [0-9]" out &&
	uninstall_runner "$PWD/links" PREFIX=/usr \
		"INSTALL_LINKS=\$(BINDIR)/runner-again|runner" &&
	installed links >have &&
	test_must_be_empty have
'

test_done
