# wlsim — top-level build.
#
# Out-of-tree objects in build/ (or $(BUILD)), automatic header dependencies (-MMD -MP),
# pkg-config for every library. `make deps` installs what is missing from Debian; `run` and
# `test` depend on it so that a newcomer's two commands work on a fresh machine.
#
#   make            build build/wlsim
#   make run        run the default scenario into output/default.h5
#   make test       unit tests (cmocka) and end-to-end tests of the binary
#   make check      alias of test
#   make ref-check  compare every shipped scenario's results with tests/ref (part of test)
#   make ref-update regenerate tests/ref after a change meant to alter results
#   make asan       the test suite again under AddressSanitizer + UBSan (in build-asan/)
#   make fuzz       libFuzzer harnesses of the readers (tests/fuzz/), each for FUZZ_SECONDS, under
#                   ASan + UBSan (clang; in build-fuzz/; see docs/testing.md)
#   make bench      benchmarks (event queue, one replication, all cores, MPI ranks)
#   make mpi        build/wlsim-mpi: the same program on Open MPI (rank 0 writes; see docs/cluster.md)
#   make man        build/wlsim.1, the man page generated from the commands' --help texts
#   make install    install the binary, its man page and the shipped scenarios under $(PREFIX)
#   make clean      remove build folders

PREFIX ?= /usr/local
BUILD  ?= build
CC     ?= cc
PYTHON ?= /usr/bin/python3

PKGS    := gsl hdf5 cmocka yaml-0.1
HAVE_PKG := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)

ifeq ($(HAVE_PKG),yes)
PKG_CFLAGS := $(shell pkg-config --cflags gsl hdf5 yaml-0.1 zlib)
PKG_LIBS   := $(shell pkg-config --libs gsl hdf5 yaml-0.1 zlib)
# hdf5_hl has no .pc file on Debian; it lives beside libhdf5 in the directory pkg-config names.
PKG_LIBS   += $(shell pkg-config --libs-only-L hdf5) -lhdf5_hl
TEST_CFLAGS := $(shell pkg-config --cflags cmocka)
TEST_LIBS   := $(shell pkg-config --libs cmocka)
endif

WERROR  ?=
OPT     ?= -O2 -g
# The project's flags live in WLSIM_* variables; the user's CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS
# (from the command line or the environment) are appended, so `make CFLAGS=-O0` still builds,
# with -O0 winning over $(OPT) because it comes last.
WLSIM_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) -Wall -Wextra -Wshadow $(WERROR) -fopenmp \
                 -Isim -Imodel $(PKG_CFLAGS) $(EXTRA_CFLAGS)
WLSIM_LDFLAGS := -fopenmp $(EXTRA_LDFLAGS)
WLSIM_LDLIBS  := $(PKG_LIBS) -lcsv -lm

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
GIT_DIRTY  := $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo -dirty)
VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
DATADIR    ?= $(PREFIX)/share/wlsim/scenarios
WLSIM_CFLAGS += -DWLSIM_VERSION='"$(VERSION)"' -DWLSIM_GIT_COMMIT='"$(GIT_COMMIT)$(GIT_DIRTY)"' \
              -DWLSIM_DATADIR='"$(DATADIR)"'

# sim/mpiw.c (work items over MPI ranks) is built only into wlsim-mpi: `make mpi` runs this
# Makefile again with MPI=1 in $(BUILD)/mpi, compiling with -DWLSIM_MPI and Open MPI's flags.
.DEFAULT_GOAL := all

# Objects that compile in the commit are rebuilt when it changes (results files and resume side
# files record it, so one build must not mix two commits).
COMMIT_STAMP := $(BUILD)/commit.stamp
$(shell mkdir -p $(BUILD) && (echo "$(GIT_COMMIT)$(GIT_DIRTY)" | cmp -s - $(COMMIT_STAMP) || \
        echo "$(GIT_COMMIT)$(GIT_DIRTY)" > $(COMMIT_STAMP)))
$(BUILD)/sim/main.o $(BUILD)/sim/h5out.o $(BUILD)/sim/ckpt.o $(BUILD)/sim/verify.o: $(COMMIT_STAMP)

LIB_SRC  := $(sort $(wildcard model/*.c) $(filter-out sim/main.c sim/mpiw.c,$(wildcard sim/*.c)))
ifeq ($(MPI),1)
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c)
MPI_LIBS   := $(shell pkg-config --libs ompi-c)
LIB_SRC    += sim/mpiw.c
WLSIM_CFLAGS += -DWLSIM_MPI $(MPI_CFLAGS)
WLSIM_LDLIBS += $(MPI_LIBS)
endif
ALL_CFLAGS   = $(WLSIM_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(WLSIM_LDFLAGS) $(LDFLAGS)
ALL_LDLIBS   = $(WLSIM_LDLIBS) $(LDLIBS)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/sim/main.o
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/tests/bench_evq

.SECONDARY:
.PHONY: all run test check asan bench install clean deps unit e2e docs valgrind validate mpi mpitest \
        ref-check ref-update man fuzz fuzz-build deps-fuzz

all: $(BUILD)/wlsim

$(BUILD)/wlsim: $(MAIN_OBJ) $(BUILD)/libwlsim.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/libwlsim.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(BUILD)/libwlsim.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(TEST_LIBS)

$(BUILD)/tests/bench_%: $(BUILD)/tests/bench_%.o $(BUILD)/libwlsim.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

deps:
	@sh scripts/deps.sh

mpi:
	@$(MAKE) --no-print-directory MPI=1 BUILD=$(BUILD)/mpi $(BUILD)/mpi/wlsim
	@cp $(BUILD)/mpi/wlsim $(BUILD)/wlsim-mpi

# Ranks, resume and verify end to end (part of `make test`; MPI parts need mpirun).
mpitest: all mpi
	@sh tests/e2e/cluster.sh $(BUILD)/wlsim $(BUILD)/wlsim-mpi

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p output
	$(BUILD)/wlsim run scenarios/default.yaml -o output/default.h5 --resume

unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done

e2e: $(BUILD)/wlsim
	@sh tests/e2e/run.sh $(BUILD)/wlsim

test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory mpitest
	@$(MAKE) --no-print-directory ref-check

# Fixed-seed reference outputs (tests/ref, docs/testing.md): every shipped scenario's results,
# field by field. ref-update rewrites them; only for a change meant to alter results, with the
# reason in the commit message.
ref-check: all
	@$(PYTHON) tests/ref/refcheck.py selftest --wlsim $(BUILD)/wlsim
	@$(PYTHON) tests/ref/refcheck.py check --wlsim $(BUILD)/wlsim

ref-update: all
	@$(PYTHON) tests/ref/refcheck.py update --wlsim $(BUILD)/wlsim

check: test

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" unit e2e mpitest

# Fuzzing: every harness of tests/fuzz/ for FUZZ_SECONDS on its seed corpus (new inputs are kept
# in build-fuzz/corpus/, not in the tree). A crash stops `make fuzz` with the reproducer saved
# as build-fuzz/crash-*; rerun it with `build-fuzz/fuzz/fuzz_NAME build-fuzz/crash-...`.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := scenario cands history donors rank
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

deps-fuzz:
	@sh scripts/deps.sh fuzz

fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g" \
	  EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" EXTRA_LDFLAGS="$(FUZZ_SAN)" fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -max_len=65536 \
	    -artifact_prefix=build-fuzz/ -print_final_stats=1 build-fuzz/corpus/$$t tests/fuzz/seeds/$$t 2>build-fuzz/fuzz_$$t.log \
	    || { tail -n 60 build-fuzz/fuzz_$$t.log; exit 1; }; \
	  grep -E "^#[0-9]+.*(DONE|cov:)" build-fuzz/fuzz_$$t.log | tail -n 1; \
	  grep -E "stat::(number_of_executed_units|average_exec_per_sec)" build-fuzz/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(BUILD)/libwlsim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libwlsim.a $(ALL_LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory OPT="-O2 -g" all $(BENCH_BIN)
	@sh scripts/bench.sh $(BUILD)
	@sh scripts/bench_branch.sh $(BUILD)
	@$(MAKE) --no-print-directory mpi
	@sh scripts/bench_mpi.sh $(BUILD)

# Leak check of the binary's main paths (run, check, verify, a failing check) under valgrind: definite and
# indirect leaks are errors; libgomp's per-thread blocks show as "possibly lost" and are not.
VG := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9
valgrind: all
	$(VG) $(BUILD)/wlsim run tests/scenarios/good/tiny.yaml -r 2 -j 2 -q -o /tmp/wlsim-valgrind.h5
	$(VG) $(BUILD)/wlsim check tests/scenarios/good/tiny.yaml
	$(VG) $(BUILD)/wlsim verify -q /tmp/wlsim-valgrind.h5 -j 2
	$(VG) $(BUILD)/wlsim verify -q /tmp/wlsim-valgrind.h5 -r 1 -j 1
	-$(VG) $(BUILD)/wlsim check tests/scenarios/bad/duplicate_key.yaml
	$(VG) $(BUILD)/wlsim run tests/scenarios/good/tiny.yaml scenarios/pancreas-ecd-age50.yaml -r 1 -q -o /tmp/wlsim-valgrind.h5 \
	  --branch=redraw 2>/dev/null; test $$? -eq 2    # refused: the variants differ in more than policy.*
	sed 's/^name: tiny/name: tiny-hu/' tests/scenarios/good/tiny.yaml >/tmp/wlsim-valgrind-hu.yaml
	printf 'policy:\n  heart:\n    hu: {renewal_days: 28}\n' >>/tmp/wlsim-valgrind-hu.yaml
	$(VG) $(BUILD)/wlsim run tests/scenarios/good/tiny.yaml /tmp/wlsim-valgrind-hu.yaml --branch=redraw -r 2 -j 2 -q -o /tmp/wlsim-valgrind.h5
	$(VG) $(BUILD)/wlsim verify -q /tmp/wlsim-valgrind.h5 -j 2
	$(VG) $(BUILD)/wlsim run tests/scenarios/good/tiny.yaml tests/scenarios/good/tiny.yaml -r 8 -j 2 -q --summary-only \
	  -o /tmp/wlsim-valgrind.h5 --uncertainty tests/uncertainty/tiny.yaml
	$(VG) $(BUILD)/wlsim verify -q /tmp/wlsim-valgrind.h5 -j 2
	@rm -f /tmp/wlsim-valgrind.h5 /tmp/wlsim-valgrind-hu.yaml

# Calibration check: the default scenario against the targets of data/calibration.csv (docs/calibration.md;
# writes docs/validation.md). The sensitivity of the ECD and HU comparisons to the donor-age effect:
# scripts/sensitivity.sh.
VALIDATE_REPS ?= 200
SENS_REPS ?= 100
validate: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p output
	$(BUILD)/wlsim run scenarios/default.yaml -r $(VALIDATE_REPS) -q -o output/validate.h5 --resume
	sh scripts/sensitivity.sh $(BUILD)/wlsim output/sensitivity $(SENS_REPS)
	$(PYTHON) scripts/validate.py output/validate.h5 --markdown docs/validation.md --sensitivity output/sensitivity

# docs/parameters.md is generated from the parameter tables, the field tables of docs/output.md
# from the registry of result tables (sim/rec.h).
docs: $(BUILD)/wlsim
	$(BUILD)/wlsim check --list > docs/parameters.md
	$(PYTHON) scripts/model_params.py docs/parameters.md docs/model.md docs/rules.md
	$(BUILD)/wlsim info --fields > $(BUILD)/fields.md
	$(PYTHON) scripts/output_fields.py $(BUILD)/fields.md docs/output.md

# The binary looks for its default scenario (wlsim rank without --scenario) in $(DATADIR) after
# ./scenarios; PREFIX must therefore be the same when building and installing.
man: $(BUILD)/wlsim.1

$(BUILD)/wlsim.1: $(BUILD)/wlsim scripts/manpage.py
	$(PYTHON) scripts/manpage.py $(BUILD)/wlsim > $@.tmp && mv $@.tmp $@

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/wlsim $(DESTDIR)$(PREFIX)/bin/wlsim
	install -m 644 $(BUILD)/wlsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/wlsim.1
	if [ -x $(BUILD)/wlsim-mpi ]; then install -m 755 $(BUILD)/wlsim-mpi $(DESTDIR)$(PREFIX)/bin/wlsim-mpi; fi
	install -m 644 scenarios/*.yaml $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
