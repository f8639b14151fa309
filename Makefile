# runner: a raw-SQL numbered-migration runner.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC ?= cc

WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wvla
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARNINGS) -Werror \
	$(shell $(PKG_CONFIG) --cflags sqlite3 zlib 2>/dev/null) $(CFLAGS)
LIBS = $(shell $(PKG_CONFIG) --libs sqlite3 zlib 2>/dev/null || echo -lsqlite3 -lz) -pthread

# The PostgreSQL driver is built when pkg-config finds libpq (Debian:
# libpq-dev); NO_LIBPQ=1 leaves it out even then.
ifndef NO_LIBPQ
HAVE_LIBPQ := $(shell $(PKG_CONFIG) --exists libpq 2>/dev/null && echo 1)
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

CORE = buf version layout subst migration migset plan schema store store_sqlite store_sqlite_schema \
	store_sqlite_backup store_sqlite_vfs sqlite_describe drift \
	runner verify create config gz backup pgsplit lint peer adopt schemafile file
ifeq ($(HAVE_LIBPQ),1)
# Only libpq's headers: libpq_dl.c loads the library when a PostgreSQL
# database is first opened, so SQLite runs never load it.
CORE += store_pg store_pg_schema store_pg_backup libpq_dl
ALL_CFLAGS += -DHAVE_LIBPQ $(shell $(PKG_CONFIG) --cflags libpq)
LIBS += -ldl
endif
CLI = main cli cli_options cmd_status cmd_verify cmd_backup cmd_stamp cmd_lint \
	cmd_adopt cmd_redo cmd_wait cmd_version cmd_load
CORE_OBJS = $(CORE:%=$(BUILD)/%.o)
CLI_OBJS = $(CLI:%=$(BUILD)/%.o)
UNIT = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/t_*.c))
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

check: all $(UNIT_BINS) $(FAULTFS)
	RUNNER="$(CURDIR)/$(BUILD)/runner" UNIT_DIR="$(CURDIR)/$(BUILD)/unit" \
		FAULTFS="$(CURDIR)/$(FAULTFS)" \
		tests/run $(PROVE_FLAGS) $(UNIT_BINS) tests/t*.sh

# The whole suite once under valgrind, on the plain build: no memory error
# and no definite or indirect leak in any run of the binary or a unit test.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect
check-valgrind: all $(UNIT_BINS) $(FAULTFS)
	prove $(PROVE_FLAGS) --exec '$(VALGRIND)' $(UNIT_BINS)
	RUNNER="$(CURDIR)/tests/valgrind/runner" FAULTFS="$(CURDIR)/$(FAULTFS)" \
		VALGRIND_BIN="$(CURDIR)/$(BUILD)/runner" RUNNER_VALGRIND=1 \
		RUNNER_TIMEOUT=900 tests/run $(PROVE_FLAGS) tests/t*.sh

install: runner
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 runner $(DESTDIR)$(BINDIR)/runner

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/runner

clean:
	rm -rf build runner tests/trash.*

.PHONY: all example test check check-valgrind install uninstall clean

# make fuzz [FUZZ_TARGET=migration|layout|pgsplit] [FUZZ_SECONDS=60]:
# clang's libFuzzer on the migration-file parser and lint (default), on the
# folder scanner, the name parsers, versions, whole-file sections, ENVSUB
# and placeholders (layout), or on the PostgreSQL statement splitter and
# pg_dump masking, seeded from migrations/ and tests/fuzz/corpus/ (the
# bad-file tests' inputs, folder listings, a pg_dump script and every crash
# ever found). New crashes go to build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= migration
FUZZ_SRC_migration = src/migration.c src/version.c src/subst.c src/lint.c \
	src/pgsplit.c src/buf.c
FUZZ_SRC_layout = $(FUZZ_SRC_migration) src/layout.c
FUZZ_SRC_pgsplit = src/pgsplit.c
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC_layout) $(FUZZ_SRC_pgsplit) src/*.h
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
	build/fuzz/fuzz_pgsplit
	build/fuzz/fuzz_migration tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_layout tests/fuzz/corpus/* migrations/*.sql
	build/fuzz/fuzz_pgsplit tests/fuzz/corpus/* migrations/*.sql

.PHONY: fuzz fuzz-regress
