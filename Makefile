# tongban: one non-recursive GNU Makefile.
#   make            build build/tongban and the tests
#   make run        install missing packages, build, serve 127.0.0.1:8080 with demo data
#   make test       style check, unit + API tests (SQLite and a throwaway PostgreSQL),
#                   then the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      wrk against a running server; prints requests/s and p99, and
#                   Lighthouse scores (BENCH="queue lighthouse": only those sections)
#   make mutants    mutation testing: each mutation of tests/mutants.tsv on a
#                   copy of the tree, killed or survived (slow; not in CI)
#   make fuzz       the libFuzzer harnesses of tests/fuzz (clang, ASan + UBSan,
#                   built in $(O)/fuzz/), each for FUZZ_SECONDS (default 60);
#                   make test runs a short pass of each
#   make crash      kill -9 of the server under write load, CRASH_ROUNDS times
#                   (default 50) on SQLite and PostgreSQL: nothing acknowledged
#                   lost, audit chain intact (make test runs 3 rounds)
#   make cluster-test  two nodes behind haproxy on a pg_auto_failover PostgreSQL
#                   (scripts/cluster.sh): a node and then the primary killed -9
#                   under submissions; nothing acknowledged lost, failover time
#   make cluster-suite  every test program against that cluster's database
#   make install    the binary, the systemd unit and the example configuration
#                   (kept when one is there): PREFIX (/usr/local), DESTDIR
# O=DIR puts the build elsewhere; SAN=1 builds with ASan + UBSan.

O   ?= build
SAN ?=
CC  ?= cc

PKGS      := libmicrohttpd jansson sqlite3 libpq libcrypto libsodium libcurl libmagic libqrencode zlib
TEST_PKGS := cmocka libcurl libcrypto yaml-0.1

# A fresh machine lacks the -dev packages: install them before asking
# pkg-config for flags (not for goals that need no compiler).
NODEPS_GOALS := clean format
ifeq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else
ifneq ($(shell pkg-config --exists $(PKGS) $(TEST_PKGS) && command -v clang-format >/dev/null && command -v clang >/dev/null && command -v npm >/dev/null && echo ok),ok)
$(info make: missing packages, running scripts/install-deps.sh)
$(if $(shell ./scripts/install-deps.sh >&2 && echo ok),,$(error scripts/install-deps.sh failed))
endif
endif

WARN   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wvla -Wpointer-arith
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(WARN) -g -Isrc -I$(O)/gen \
          $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ifeq ($(SAN),1)
CFLAGS_ALL += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_ALL := -fsanitize=address,undefined
else
CFLAGS_ALL += -O2
LDFLAGS_ALL :=
endif
CFLAGS_ALL += $(CFLAGS)
LDFLAGS_ALL += $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o) $(O)/gen/assets.o
MAIN_OBJ := $(O)/src/main.o
BIN      := $(O)/tongban

TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TEST_BIN := $(TEST_SRC:%.c=$(O)/%)
TEST_SUPPORT := $(O)/tests/support.o $(O)/tests/hook.o

# Files built into the binary: pages, the API description, migrations and
# the reference data loaded on first start.
ASSETS := $(sort $(filter-out web/package.json web/package-lock.json,$(wildcard web/*.* web/*/*.*))) docs/openapi.yaml src/identity/policy.tsv src/cases/transitions.tsv src/http/reasons_zh.tsv $(sort $(wildcard src/store/migrations/*.sql)) \
          $(sort $(wildcard data/regions/*.csv)) $(sort $(wildcard data/calendar/*.csv)) \
          $(sort $(wildcard data/demo/*.json)) $(sort $(wildcard data/certs/*.json)) \
          data/catalog/synonyms.tsv

.PHONY: all run test bench bench-pg mutants fuzz fuzzers crash cluster-test cluster-suite federation-test check-style format clean install
all: $(BIN) $(TEST_BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(O)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@

# Third-party code of the pages, pinned in web/package-lock.json, fetched
# by npm ci into web/node_modules (never committed) and built in under
# /vendor/ as NAME=FILE pairs (tools/embed.c), with its licence and notice:
# Apache ECharts (the supervision and openness charts).
ECHARTS := web/node_modules/echarts
VENDOR  := web/vendor/echarts.min.js=$(ECHARTS)/dist/echarts.min.js \
           web/vendor/echarts-LICENSE.txt=$(O)/gen/echarts-LICENSE.txt
VENDOR_FILES := $(foreach v,$(VENDOR),$(lastword $(subst =, ,$(v))))

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	npm ci --prefix web --silent --no-audit --no-fund
	@touch $@

$(ECHARTS)/dist/echarts.min.js: web/node_modules/.package-lock.json
	@test -f $@ && touch $@

$(O)/gen/echarts-LICENSE.txt: web/node_modules/.package-lock.json
	@mkdir -p $(dir $@)
	cat $(ECHARTS)/LICENSE $(wildcard $(ECHARTS)/NOTICE) $(wildcard $(ECHARTS)/licenses/*) > $@

$(O)/gen/assets.c: $(O)/tools/embed $(ASSETS) $(VENDOR_FILES)
	@mkdir -p $(dir $@)
	$(O)/tools/embed $(ASSETS) $(VENDOR) > $@.tmp && mv $@.tmp $@

$(O)/gen/assets.o: $(O)/gen/assets.c
	$(CC) -std=c11 -O0 -c $< -o $@

$(O)/libtongban.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(O)/libtongban.a
	$(CC) $(LDFLAGS_ALL) $^ $(LDLIBS_ALL) -o $@

$(O)/tests/%: tests/%.c $(TEST_SUPPORT) $(O)/libtongban.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests $(shell pkg-config --cflags $(TEST_PKGS)) $(LDFLAGS_ALL) \
	  $< $(TEST_SUPPORT) $(O)/libtongban.a $(LDLIBS_ALL) $(shell pkg-config --libs $(TEST_PKGS)) -o $@

# The supports include the library's headers: -MMD tracks them, so that a
# changed struct is never linked with a support object made for the old one.
$(TEST_SUPPORT): $(O)/tests/%.o: tests/%.c tests/%.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -MMD -MP -c $< -o $@

run: $(BIN)
	$(BIN) serve --listen 127.0.0.1:8080 --data tongban-data --demo

test:
	./scripts/test.sh

bench: $(BIN)
	./scripts/bench.sh $(BIN) $(BENCH)

bench-pg: $(BIN)
	./scripts/bench.sh $(BIN) pg

mutants:
	./scripts/mutants.sh

CRASH_ROUNDS ?= 50
crash: $(BIN) $(O)/tests/api/test_crash
	./scripts/crash.sh $(O) $(CRASH_ROUNDS)

cluster-test: $(BIN)
	./scripts/cluster.sh test $(BIN)

cluster-suite: all
	./scripts/cluster.sh suite $(BIN)

# Two platforms (浙江, 广东) exchanging across provinces, each killed -9
# mid-exchange (issue 18; tests/federation/federation-test.mjs).
federation-test: $(BIN)
	node tests/federation/federation-test.mjs $(BIN)

# Fuzzing: the library again, built by clang with libFuzzer's coverage and
# ASan + UBSan into $(O)/fuzz/ (the ordinary builds are untouched), and one
# program per tests/fuzz/fuzz_NAME.c calling the real parsers.
FUZZ_O        := $(O)/fuzz
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   := -std=c11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) -g -O1 \
                 -fno-omit-frame-pointer -Isrc -I$(O)/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_SRC      := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN      := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_O)/%)
FUZZ_LIB_OBJ  := $(LIB_SRC:%.c=$(FUZZ_O)/%.o) $(FUZZ_O)/gen/assets.o

$(FUZZ_O)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_O)/gen/assets.o: $(O)/gen/assets.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -O0 -c $< -o $@

$(FUZZ_O)/libtongban.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_O)/support.o: tests/fuzz/support.c tests/fuzz/support.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/support.h $(FUZZ_O)/support.o $(FUZZ_O)/libtongban.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $(FUZZ_SAN) $< $(FUZZ_O)/support.o \
	  $(FUZZ_O)/libtongban.a $(LDLIBS_ALL) -o $@

fuzzers: $(FUZZ_BIN)

fuzz: fuzzers
	./scripts/fuzz.sh $(FUZZ_O) $(FUZZ_SECONDS)

# The unit names the installed binary and configuration file; the example
# configuration never replaces one already there (an operator's).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/tongban
	@mkdir -p $(O)
	sed -e 's|/usr/local/bin/tongban|$(BINDIR)/tongban|' \
	    -e 's|/etc/tongban/|$(SYSCONFDIR)/tongban/|g' packaging/tongban.service > $(O)/tongban.service
	install -D -m 0644 $(O)/tongban.service $(DESTDIR)$(UNITDIR)/tongban.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/tongban
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/tongban/tongban.conf ]; then \
	  echo "install: $(DESTDIR)$(SYSCONFDIR)/tongban/tongban.conf kept (packaging/tongban.conf not copied)"; \
	else \
	  install -m 0644 packaging/tongban.conf $(DESTDIR)$(SYSCONFDIR)/tongban/tongban.conf; \
	fi

check-style:
	./scripts/check-style.sh

format:
	clang-format -i $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d) $(TEST_SUPPORT:.o=.d) \
  $(FUZZ_O)/support.d
