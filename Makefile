# runner: a raw-SQL numbered-migration runner.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
PKG_CONFIG ?= pkg-config
CC ?= cc

WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wvla
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARNINGS) -Werror \
	$(shell $(PKG_CONFIG) --cflags sqlite3 zlib 2>/dev/null) $(CPPFLAGS) $(CFLAGS)
LIBS = $(shell $(PKG_CONFIG) --libs sqlite3 zlib 2>/dev/null || echo -lsqlite3 -lz) -pthread

# The PostgreSQL driver is built when pkg-config finds libpq (Debian:
# libpq-dev); NO_LIBPQ=1 leaves it out even then.
ifndef NO_LIBPQ
HAVE_LIBPQ := $(shell $(PKG_CONFIG) --exists libpq 2>/dev/null && echo 1)
endif

# The MySQL/MariaDB driver is built when pkg-config finds libmariadb
# (Debian: libmariadb-dev); NO_MARIADB=1 leaves it out even then.
ifndef NO_MARIADB
HAVE_MARIADB := $(shell $(PKG_CONFIG) --exists libmariadb 2>/dev/null && echo 1)
endif

# SANITIZE=address,undefined builds an instrumented binary in its own folder.
ifdef SANITIZE
BUILD ?= build/sanitize
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
# GCC links its sanitizer runtimes as shared libraries, whose data (12 MB,
# mostly never touched) LeakSanitizer scans at every exit: a third of what a
# short run costs, and the suite makes thousands. Linked in statically, the
# same runtimes make the same checks without that scan.
ifneq ($(shell $(CC) -v 2>&1 | grep '^gcc version'),)
LDFLAGS += $(if $(findstring address,$(SANITIZE)),-static-libasan) \
	$(if $(findstring undefined,$(SANITIZE)),-static-libubsan)
endif
else
BUILD ?= build/release
endif
ifneq ($(HAVE_LIBPQ),1)
BUILD := $(BUILD)-nopq
endif
# Only when asked for: a machine without libmariadb-dev keeps its folders.
ifdef NO_MARIADB
BUILD := $(BUILD)-nomy
endif

# The core, by layer from the ground up (src/README): base, pure text,
# files, planning, driver interface, drivers, operations.
CORE = buf clock \
	text_version text_subst text_migration text_layout text_pgsplit \
	text_sqlite_lex text_lint text_schema text_mysqlsplit text_dblist \
	file file_gz file_migset file_config \
	plan_rows plan \
	store_url store_tracking store \
	store_registry store_sqlite store_sqlite_url store_sqlite_schema \
	store_sqlite_watch store_sqlite_describe store_sqlite_backup \
	store_sqlite_vfs \
	runner_section runner_apply runner_drift runner_verify runner_create \
	runner_backup runner_peer runner_adopt runner_schemafile
ifeq ($(HAVE_LIBPQ),1)
# Only libpq's headers: store_pg_dl.c loads the library when a PostgreSQL
# database is first opened, so SQLite runs never load it.
CORE += store_pg store_pg_url store_pg_schema store_pg_backup store_pg_dl
ALL_CFLAGS += -DHAVE_LIBPQ $(shell $(PKG_CONFIG) --cflags libpq)
NEED_DL = 1
endif
ifeq ($(HAVE_MARIADB),1)
# Likewise only libmariadb's headers: store_mysql_dl.c loads the library.
MYSQL_CORE = text_myschema store_mysql store_mysql_url store_mysql_dl \
	store_mysql_schema store_mysql_backup
CORE += $(MYSQL_CORE)
ALL_CFLAGS += -DHAVE_MARIADB $(shell $(PKG_CONFIG) --cflags libmariadb)
NEED_DL = 1
endif
# The drivers' libraries are loaded with dlopen (store_*_dl.c).
ifeq ($(NEED_DL),1)
LIBS += -ldl
endif
# The dispatcher (cli), the helpers the commands share (cli_*), and one
# file per command (cmd_*; cmd_migrate holds migrate-to too).
CLI = main cli cli_options cli_usage cli_settings cli_print cli_signal cli_db \
	cli_confirm cli_backup cli_fleet \
	cmd_status cmd_migrate cmd_rollback cmd_redo cmd_create_migration \
	cmd_init cmd_reset cmd_repair cmd_stamp cmd_adopt cmd_lint \
	cmd_show_schema cmd_load cmd_embed cmd_verify cmd_backup cmd_backups \
	cmd_restore cmd_wait cmd_version cmd_help
CORE_OBJS = $(CORE:%=$(BUILD)/%.o)
CLI_OBJS = $(CLI:%=$(BUILD)/%.o)
UNIT = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/t_*.c))
ifneq ($(HAVE_MARIADB),1)
# t_myschema tests a part of the MySQL driver, built only with it.
UNIT := $(filter-out t_myschema,$(UNIT))
endif
UNIT_BINS = $(UNIT:%=$(BUILD)/unit/%)

ifdef SANITIZE
all: $(BUILD)/runner
else
all: runner
# Phony, so switching builds (NO_LIBPQ=1 and back) always refreshes ./runner.
runner: $(BUILD)/runner
	cp $< $@.tmp && mv -f $@.tmp $@
.PHONY: runner
endif

$(BUILD)/runner: $(CORE_OBJS) $(CLI_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) $(LDFLAGS) $(LIBS)

-include $(CORE_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# librunner (src/librunner.h, doc/library.md): the core and librunner.c
# compiled again, position-independent with every symbol hidden but the
# API's. The static library is one object whose other symbols are made
# local (ld -r, objcopy), so that the core's names (buf_add, xmalloc...)
# never clash with a program's; the shared one exports only the API
# (visibility, and librunner.map for its symbol version).
LIB_VERSION = 0.1.0
LIB_SONAME = librunner.so.0
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
OBJCOPY ?= objcopy
LIB_OBJS = $(CORE:%=$(BUILD)/pic/%.o) $(BUILD)/pic/librunner.o
LIB_A = $(BUILD)/librunner.a
LIB_SO = $(BUILD)/librunner.so.$(LIB_VERSION)
# Under the sanitizers the runtime resolves some symbols at load time.
ifndef SANITIZE
LIB_SO_FLAGS = -Wl,--no-undefined
endif
# runner.pc's lines after its variables: sqlite3 and zlib through their
# own .pc files, for a static link.
PC_BODY = 'Name: runner' \
	'Description: raw-SQL numbered migrations for a program'"'"'s database' \
	'Version: $(LIB_VERSION)' 'Requires.private: sqlite3 zlib' \
	'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lrunner' \
	'Libs.private: $(filter -ldl -pthread,$(LIBS))'

lib: $(LIB_A) $(LIB_SO) $(BUILD)/librunner.so \
	$(BUILD)/pkgconfig/runner-uninstalled.pc $(BUILD)/include/librunner.h
all: lib

$(BUILD)/pic/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	$(LD) -r -o $(BUILD)/librunner-all.o $(LIB_OBJS)
	$(OBJCOPY) --localize-hidden $(BUILD)/librunner-all.o
	rm -f $@ && $(AR) rcs $@ $(BUILD)/librunner-all.o

$(LIB_SO): $(LIB_OBJS) src/librunner.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=src/librunner.map $(LIB_SO_FLAGS) \
		-o $@ $(LIB_OBJS) $(LIBS)

$(BUILD)/librunner.so: $(LIB_SO)
	ln -sf librunner.so.$(LIB_VERSION) $(BUILD)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

# For building against the tree: PKG_CONFIG_PATH=$(BUILD)/pkgconfig finds
# runner-uninstalled.pc for "runner", with only the public header.
$(BUILD)/include/librunner.h: src/librunner.h
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/pkgconfig/runner-uninstalled.pc: Makefile
	@mkdir -p $(@D)
	printf '%s\n' 'libdir=$(CURDIR)/$(BUILD)' \
		'includedir=$(CURDIR)/$(BUILD)/include' '' $(PC_BODY) >$@

# make install calls these: the header, both libraries with the shared
# one's links, and runner.pc written for PREFIX (LIBDIR, INCLUDEDIR).
install-lib: $(LIB_A) $(LIB_SO)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 src/librunner.h $(DESTDIR)$(INCLUDEDIR)/librunner.h
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/librunner.a
	install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/librunner.so.$(LIB_VERSION)
	ln -sf librunner.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/librunner.so
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
		'includedir=$(INCLUDEDIR)' '' $(PC_BODY) \
		>$(DESTDIR)$(PKGCONFIGDIR)/runner.pc

uninstall-lib:
	rm -f $(DESTDIR)$(INCLUDEDIR)/librunner.h \
		$(DESTDIR)$(LIBDIR)/librunner.a \
		$(DESTDIR)$(LIBDIR)/librunner.so.$(LIB_VERSION) \
		$(DESTDIR)$(LIBDIR)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/librunner.so \
		$(DESTDIR)$(PKGCONFIGDIR)/runner.pc

-include $(LIB_OBJS:.o=.d)

.PHONY: lib install-lib uninstall-lib

# The README's commands (./setup example, ./setup test, which install make
# first): each installs the Debian packages it needs that are missing.
# The example migrates the database a plain `./runner status` reads.
example:
	scripts/install-deps build
	$(MAKE) all
	./runner migrate
	./runner status

test:
	scripts/install-deps test
	$(MAKE) check SANITIZE=address,undefined

# The scripts run side by side, one per core: the suite must pass under
# prove -j (PROVE_FLAGS=-j1 runs them one at a time). tests/run puts the
# longest first and gives the run one initdb for all PostgreSQL scripts.
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
PROVE_FLAGS ?= -j$(NPROC)

# The fault-injection library the tests preload (tests/lib-fault.sh): plain
# C, never sanitized, so that it may come before the sanitizers' runtime.
FAULTFS = $(BUILD)/faultfs.so
$(FAULTFS): tests/fault/faultfs.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

# TESTS: the scripts to run (all of them by default); the unit tests
# always run.
TESTS ?= tests/t*.sh
check: all $(UNIT_BINS) $(FAULTFS)
	RUNNER="$(CURDIR)/$(BUILD)/runner" UNIT_DIR="$(CURDIR)/$(BUILD)/unit" \
		FAULTFS="$(CURDIR)/$(FAULTFS)" \
		tests/run $(PROVE_FLAGS) $(UNIT_BINS) $(TESTS)

# The whole suite once under valgrind, on the plain build: no memory error
# and no definite or indirect leak in any run of the binary or a unit test.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect
check-valgrind: all $(UNIT_BINS) $(FAULTFS)
	prove $(PROVE_FLAGS) --exec '$(VALGRIND)' $(UNIT_BINS)
	RUNNER="$(CURDIR)/tests/valgrind/runner" FAULTFS="$(CURDIR)/$(FAULTFS)" \
		VALGRIND_BIN="$(CURDIR)/$(BUILD)/runner" RUNNER_VALGRIND=1 \
		RUNNER_TIMEOUT=900 tests/run $(PROVE_FLAGS) $(TESTS)

# What make install puts where, one SOURCE|DESTINATION|MODE a word
# (DESTINATION under $(DESTDIR)), and the symbolic links it makes, one
# LINK|TARGET a word; make uninstall removes exactly these, and librunner's
# files (install-lib, above). RUNNER_BIN is the binary installed
# (tests/t0062-install.sh names the one under test, and the BUILD folder
# it was built in, so that nothing is built).
RUNNER_BIN = runner
INSTALL_FILES = $(RUNNER_BIN)|$(BINDIR)/runner|0755 \
	doc/runner.1|$(MANDIR)/man1/runner.1|0644 \
	contrib/completion/runner.bash|$(BASHCOMPDIR)/runner|0644 \
	contrib/completion/_runner|$(ZSHCOMPDIR)/_runner|0644
INSTALL_LINKS =

field = $(word $(1),$(subst |, ,$(2)))
define install_file
	install -d '$(DESTDIR)$(dir $(call field,2,$(1)))'
	install -m $(call field,3,$(1)) '$(call field,1,$(1))' '$(DESTDIR)$(call field,2,$(1))'

endef
define install_link
	install -d '$(DESTDIR)$(dir $(call field,1,$(1)))'
	ln -sfn '$(call field,2,$(1))' '$(DESTDIR)$(call field,1,$(1))'

endef

install: $(RUNNER_BIN) install-lib
	$(foreach f,$(INSTALL_FILES),$(call install_file,$(f)))
	$(foreach l,$(INSTALL_LINKS),$(call install_link,$(l)))

uninstall: uninstall-lib
	rm -f $(foreach f,$(INSTALL_FILES),'$(DESTDIR)$(call field,2,$(f))') \
		$(foreach l,$(INSTALL_LINKS),'$(DESTDIR)$(call field,1,$(l))')

clean:
	rm -rf build runner tests/trash.*

.PHONY: all example test check check-valgrind install uninstall clean

# make fuzz [FUZZ_TARGET=migration|layout|pgsplit|mysqlsplit|sqlite_lex]
# [FUZZ_SECONDS=60]: clang's libFuzzer on the migration-file parser and lint
# (default), on the folder scanner, the name parsers, versions, whole-file
# sections, ENVSUB and placeholders (layout), on the PostgreSQL statement
# splitter and pg_dump masking, on the MySQL splitter, or on SQLite's
# lexer, seeded from migrations/ and tests/fuzz/corpus/ (the bad-file
# tests' inputs, folder listings, a pg_dump script and every crash ever
# found). New crashes go to build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= migration
FUZZ_SRC_migration = src/text_migration.c src/text_version.c src/text_subst.c src/text_lint.c \
	src/text_pgsplit.c src/text_sqlite_lex.c src/text_mysqlsplit.c src/buf.c
FUZZ_SRC_layout = $(FUZZ_SRC_migration) src/text_layout.c
FUZZ_SRC_pgsplit = src/text_pgsplit.c
FUZZ_SRC_mysqlsplit = src/text_mysqlsplit.c
FUZZ_SRC_sqlite_lex = src/text_sqlite_lex.c src/text_migration.c src/text_version.c \
	src/text_subst.c src/buf.c
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC_layout) $(FUZZ_SRC_pgsplit) \
	$(FUZZ_SRC_mysqlsplit) src/*.h
	@mkdir -p build/fuzz
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isrc -o $@ $< $(FUZZ_SRC_$*) -lz

fuzz: build/fuzz/fuzz_$(FUZZ_TARGET)
	@mkdir -p build/fuzz/corpus-$(FUZZ_TARGET)
	cp migrations/*.sql tests/fuzz/corpus/* build/fuzz/corpus-$(FUZZ_TARGET)/
	cd build/fuzz && ./fuzz_$(FUZZ_TARGET) -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 -print_final_stats=1 corpus-$(FUZZ_TARGET)

# The corpus as a regression test: every file must pass without a crash.
fuzz-regress: build/fuzz/fuzz_migration build/fuzz/fuzz_layout \
	build/fuzz/fuzz_pgsplit build/fuzz/fuzz_mysqlsplit \
	build/fuzz/fuzz_sqlite_lex
	build/fuzz/fuzz_migration tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_layout tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_pgsplit tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_mysqlsplit tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_sqlite_lex tests/fuzz/corpus/* migrations/*.sql

.PHONY: fuzz fuzz-regress
