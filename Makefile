# SPDX-License-Identifier: Apache-2.0
#
# kube-lite's one non-recursive Makefile (STYLE §15). Each module declares data
# in its module.mk (sources, dependencies, pkg-config packages, tests, fuzz
# targets); the templates below turn that into rules. Objects go to
# build/<variant>/, header dependencies come from -MMD, and every object depends
# on build/<variant>/FLAGS, rewritten only when the flags change.
#
#   make                 the dynamically linked kube-lite (build/debug/kube-lite)
#   make test            unit tests, fuzz-corpus replays and e2e, one summary
#   make test SANITIZE=1 the same under ASan+UBSan (build/asan/)
#   make ci              what CI runs: lint, the clang build, make static-check,
#                        a short libFuzzer run of every target, make test SANITIZE=1
#   make check           unit tests and fuzz replays only
#   make e2e             bats scenarios only
#   make static          the release binary, fully static against musl
#   make lint            clang-format, clang-tidy, scripts/check-src.sh, check-deps
#   make fuzz-smoke      every libFuzzer target over its corpus plus a short run
#   make CC=clang        build with clang (its own build directory)
#   make V=1             print full commands

KL_VERSION := 0.1.0-dev
KL_KUBE_VERSION := v1.32.0

.DEFAULT_GOAL := all
SHELL := /bin/bash

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
CC_IS_CLANG := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),1,)

ifeq ($(SANITIZE),1)
VARIANT ?= asan
endif
VARIANT ?= debug
# BUILD_DIR overrides the directory (parallel work trees of one checkout).
B := $(or $(BUILD_DIR),build/$(VARIANT)$(if $(CC_IS_CLANG),-clang,))
# libFuzzer builds (clang) have their own directory; FUZZ_B overrides it.
FUZZ_B ?= build/fuzz

# Dependencies are installed by scripts/deps.sh; targets that compile call it
# once per make run (it is a fast no-op when everything is present).
DEPS_STAMP := $(B)/.deps-ok
$(DEPS_STAMP): scripts/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)./scripts/deps.sh
	$(Q)touch $@

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wundef -Wformat=2 -Wformat-security \
	-Wmissing-prototypes -Wstrict-prototypes -Wold-style-definition -Wpointer-arith \
	-Wvla -Wwrite-strings -Wimplicit-fallthrough -Wno-missing-field-initializers
ifneq ($(CC_IS_CLANG),1)
WARNINGS += -Wjump-misses-init
endif

BASE_CFLAGS := -std=gnu17 $(WARNINGS) -fno-common -Ipkg -D_GNU_SOURCE
HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(VARIANT),debug)
OPT_CFLAGS := -O1 -g -DKL_TEST_BUILD -D_FORTIFY_SOURCE=2
else ifeq ($(VARIANT),asan)
OPT_CFLAGS := -O1 -g -DKL_TEST_BUILD -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
OPT_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(VARIANT),release)
OPT_CFLAGS := -O2 -g -D_FORTIFY_SOURCE=2 -DNDEBUG
# The allocator the static binary links (third_party/recipes/mimalloc.sh), so
# that benchmarks of this variant measure what users run. Named first and kept
# even though nothing references it by name: its malloc and free then come
# before glibc's in the symbol lookup order.
OPT_LDFLAGS := -Wl,--no-as-needed -lmimalloc -Wl,--as-needed
else ifeq ($(VARIANT),static)
# The release binary: musl, every library from third_party/build.sh's prefix
# (KL_STATIC_PREFIX, set by `make static`), unused sections dropped at link time.
ifeq ($(KL_STATIC_PREFIX),)
$(error VARIANT=static is built by `make static`)
endif
CC := musl-gcc
CC_IS_CLANG :=
OPT_CFLAGS := -O2 -g -DNDEBUG -ffunction-sections -fdata-sections \
	$(shell ./third_party/build.sh --cflags)
HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection
HARDEN_LDFLAGS := $(shell ./third_party/build.sh --ldflags)
PKG_CONFIG := env PKG_CONFIG_LIBDIR=$(KL_STATIC_PREFIX)/lib/pkgconfig PKG_CONFIG_PATH= pkg-config --static
STATIC_LIBS := -Wl,--start-group $(shell ./third_party/build.sh --libs) -Wl,--end-group
else
$(error unknown VARIANT '$(VARIANT)' (debug, asan, release))
endif

# Every module's packages, asked of pkg-config once.
ALL_PKGS := libuv sqlite3 libarchive libcurl libseccomp libnl-3.0 libnl-route-3.0 \
	libnl-genl-3.0 jansson yaml-0.1 openssl
PKG_CONFIG ?= pkg-config
pkg_cflags = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --cflags $(1)),)
ifeq ($(VARIANT),static)
pkg_libs = $(STATIC_LIBS)
else
pkg_libs = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --libs $(1)),)
endif

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	git diff --quiet HEAD -- 2>/dev/null || echo -dirty)

CFLAGS_ALL = $(BASE_CFLAGS) $(HARDEN_CFLAGS) $(OPT_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(HARDEN_LDFLAGS) $(OPT_LDFLAGS) $(LDFLAGS)

# ---------------------------------------------------------------------------
# Modules

MODULES :=
PROGRAMS :=
include $(sort $(wildcard pkg/*/module.mk))
include $(sort $(wildcard cmd/*/module.mk))

# All modules a module depends on, transitively (no cycles: check-deps.sh).
closure = $(sort $(foreach d,$($(1)_DEPS),$(d) $(call closure,$(d))))

# Every module's library path is known before any template is expanded: a
# module's link line names the libraries of its dependencies, which may sort
# after it (config depends on yaml). Unit tests also link the testing helpers.
$(foreach m,$(MODULES),$(eval $(m)_LIB := $(B)/pkg/$(m)/lib$(m).a))
# The same for test support: m_TEST_SUPPORT names sources under pkg/m/tests/
# (fixtures such as apiserver's tests/support/testenv.c), archived into
# libm-test.a and linked into the tests and benchmarks of m and of every
# module whose test closure includes m; never into the product.
$(foreach m,$(MODULES),$(eval $(m)_TEST_SUPPORT_LIB := \
	$(if $($(m)_TEST_SUPPORT),$(B)/pkg/$(m)/tests/lib$(m)-test.a,)))

TEST_BINS :=
FUZZ_REPLAY_BINS :=
BENCH_BINS :=
ALL_OBJS :=
ALL_SRCS :=
TEST_SUPPORT_OBJS :=

define MODULE_template
$(1)_OBJS := $$(patsubst %.c,$(B)/pkg/$(1)/%.o,$$($(1)_SRCS))
$(1)_LIB := $(B)/pkg/$(1)/lib$(1).a
$(1)_CLOSURE := $$(call closure,$(1))
$(1)_LINK_LIBS := $$($(1)_LIB) $$(foreach d,$$($(1)_CLOSURE),$$($$(d)_LIB))
$(1)_LINK_PKGS := $$(sort $$($(1)_PKGS) $$(foreach d,$$($(1)_CLOSURE),$$($$(d)_PKGS)))
# Tests and benchmarks may also link m_TEST_DEPS (a controller's integration
# test runs a real API server in-process); the module itself may not.
$(1)_TEST_CLOSURE := $$(sort $$($(1)_CLOSURE) $$($(1)_TEST_DEPS) \
	$$(foreach d,$$($(1)_TEST_DEPS),$$(call closure,$$(d))))
$(1)_TEST_LINK_LIBS := $$($(1)_LIB) $$(foreach d,$$(filter-out $(1),$$($(1)_TEST_CLOSURE)),$$($$(d)_LIB))
$(1)_TEST_LINK_PKGS := $$(sort $$($(1)_PKGS) $$(foreach d,$$($(1)_TEST_CLOSURE),$$($$(d)_PKGS)))
$(1)_TEST_SUPPORT_OBJS := $$(patsubst %.c,$(B)/pkg/$(1)/tests/%.o,$$($(1)_TEST_SUPPORT))
$(1)_TEST_SUPPORT_LIBS := $$(foreach d,$(1) $$($(1)_TEST_CLOSURE),$$($$(d)_TEST_SUPPORT_LIB))
$(1)_TEST_BINS := $$(patsubst %.c,$(B)/pkg/$(1)/tests/%,$$($(1)_TESTS))
$(1)_FUZZ_BINS := $$(patsubst %.c,$(B)/pkg/$(1)/fuzz/%-replay,$$($(1)_FUZZ))
$(1)_BENCH_BINS := $$(patsubst %.c,$(B)/pkg/$(1)/bench/%,$$($(1)_BENCH))
BENCH_BINS += $$($(1)_BENCH_BINS)
TEST_BINS += $$($(1)_TEST_BINS)
FUZZ_REPLAY_BINS += $$($(1)_FUZZ_BINS)
ALL_OBJS += $$($(1)_OBJS)
TEST_SUPPORT_OBJS += $$($(1)_TEST_SUPPORT_OBJS)
ALL_SRCS += $$(addprefix pkg/$(1)/,$$($(1)_SRCS) $$(addprefix tests/,$$($(1)_TESTS)) \
	$$(addprefix tests/,$$($(1)_TEST_SUPPORT)) $$(addprefix fuzz/,$$($(1)_FUZZ)) \
	$$(addprefix bench/,$$($(1)_BENCH)))

$$($(1)_LIB): $$($(1)_OBJS)
	@echo "  AR      $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^

ifneq ($$($(1)_TEST_SUPPORT),)
$$($(1)_TEST_SUPPORT_LIB): $$($(1)_TEST_SUPPORT_OBJS)
	@echo "  AR      $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endif

$(B)/pkg/$(1)/%.o: EXTRA_CFLAGS += $$(call pkg_cflags,$$($(1)_LINK_PKGS))
$(B)/pkg/$(1)/tests/%.o $(B)/pkg/$(1)/bench/%.o: EXTRA_CFLAGS += \
	$$(call pkg_cflags,$$($(1)_TEST_LINK_PKGS))

$(B)/pkg/$(1)/tests/%: $(B)/pkg/$(1)/tests/%.o $$($(1)_TEST_SUPPORT_LIBS) $$($(1)_TEST_LINK_LIBS) \
		$$(testing_LIB)
	@echo "  LINK    $$@"
	$(Q)$$(CC) -o $$@ $$< -Wl,--start-group $$($(1)_TEST_SUPPORT_LIBS) $$($(1)_TEST_LINK_LIBS) \
		$$(testing_LIB) -Wl,--end-group $$(LDFLAGS_ALL) \
		$$(call pkg_libs,$$($(1)_TEST_LINK_PKGS) $$(testing_PKGS)) -lcriterion

$(B)/pkg/$(1)/bench/%: $(B)/pkg/$(1)/bench/%.o $$($(1)_TEST_SUPPORT_LIBS) $$($(1)_TEST_LINK_LIBS) \
		$$(testing_LIB)
	@echo "  LINK    $$@"
	$(Q)$$(CC) -o $$@ $$< -Wl,--start-group $$($(1)_TEST_SUPPORT_LIBS) $$($(1)_TEST_LINK_LIBS) \
		$$(testing_LIB) -Wl,--end-group $$(LDFLAGS_ALL) \
		$$(call pkg_libs,$$($(1)_TEST_LINK_PKGS) $$(testing_PKGS)) \
		$$(if $$($(1)_TEST_SUPPORT_LIBS),-lcriterion,)

$(B)/pkg/$(1)/fuzz/%-replay: $(B)/pkg/$(1)/fuzz/%.o $(B)/pkg/testing/fuzz-main.o $$($(1)_LINK_LIBS)
	@echo "  LINK    $$@"
	$(Q)$$(CC) -o $$@ $$< $(B)/pkg/testing/fuzz-main.o -Wl,--start-group $$($(1)_LINK_LIBS) \
		-Wl,--end-group $$(LDFLAGS_ALL) $$(call pkg_libs,$$($(1)_LINK_PKGS))
endef
$(foreach m,$(MODULES),$(eval $(call MODULE_template,$(m))))

define PROGRAM_template
$(1)_OBJS := $$(patsubst %.c,$(B)/cmd/$(1)/%.o,$$($(1)_SRCS))
$(1)_CLOSURE := $$(sort $$($(1)_DEPS) $$(foreach d,$$($(1)_DEPS),$$(call closure,$$(d))))
$(1)_LINK_LIBS := $$(foreach d,$$($(1)_CLOSURE),$$($$(d)_LIB))
$(1)_LINK_PKGS := $$(sort $$($(1)_PKGS) $$(foreach d,$$($(1)_CLOSURE),$$($$(d)_PKGS)))
ALL_OBJS += $$($(1)_OBJS)
ALL_SRCS += $$(addprefix cmd/$(1)/,$$($(1)_SRCS))

$(B)/cmd/$(1)/%.o: EXTRA_CFLAGS += $$(call pkg_cflags,$$($(1)_LINK_PKGS)) \
	-DKL_VERSION='"$(KL_VERSION)"' -DKL_GIT_COMMIT='"$(GIT_COMMIT)"' \
	-DKL_KUBE_VERSION='"$(KL_KUBE_VERSION)"'

$(B)/$(1): $$($(1)_OBJS) $$($(1)_LINK_LIBS)
	@echo "  LINK    $$@"
	$(Q)$$(CC) -o $$@ $$($(1)_OBJS) -Wl,--start-group $$($(1)_LINK_LIBS) -Wl,--end-group \
		$$(LDFLAGS_ALL) $$(call pkg_libs,$$($(1)_LINK_PKGS))
ifeq ($(VARIANT),static)
	$(Q)objcopy --only-keep-debug $$@ $$@.debug && strip --strip-all $$@ && \
		objcopy --add-gnu-debuglink=$$@.debug $$@
endif
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_template,$(p))))

# ---------------------------------------------------------------------------
# Compilation

# Rewritten only when the effective flags change, so a flag change rebuilds
# exactly what it must (git's GIT-CFLAGS).
$(B)/FLAGS: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $(GIT_COMMIT)' > $@.new
	$(Q)if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(B)/%.o: %.c $(B)/FLAGS | $(DEPS_STAMP)
	@echo "  CC      $<"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

FUZZ_OBJS_ALL := $(patsubst $(B)/%,$(FUZZ_B)/%,$(ALL_OBJS)) \
	$(foreach m,$(MODULES),$(patsubst %.c,$(FUZZ_B)/pkg/$(m)/fuzz/%.o,$($(m)_FUZZ)))
-include $(ALL_OBJS:.o=.d) $(TEST_SUPPORT_OBJS:.o=.d) $(TEST_BINS:=.d) $(FUZZ_REPLAY_BINS:-replay=.d) \
	$(wildcard $(addsuffix .d,$(basename $(FUZZ_OBJS_ALL))))

# Test, bench and fuzz objects are made by pattern rules, so make would treat
# them as intermediate and delete them; keep them (their .d files need them).
# Only these: a blanket .SECONDARY would also stop make from noticing a module
# object that is missing when its archive is newer than its new source.
.SECONDARY: $(addsuffix .o,$(TEST_BINS) $(BENCH_BINS)) $(FUZZ_REPLAY_BINS:-replay=.o) \
	$(B)/pkg/testing/fuzz-main.o $(FUZZ_OBJS_ALL)

.PHONY: all FORCE
FORCE:

all: $(addprefix $(B)/,$(PROGRAMS))
	$(Q)for p in $(PROGRAMS); do ln -sf $(B)/$$p $$p; done

# ---------------------------------------------------------------------------
# Tests

E2E_TESTS := $(sort $(wildcard e2e/t*.bats))
# Sanitizer run-time options are part of the test command (STYLE R14.2).
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
PROVE := prove --exec ./scripts/tap-run --timer

# `make check M=store` builds and runs one module's unit tests and fuzz replays.
ifneq ($(M),)
CHECK_BINS := $(foreach m,$(M),$($(m)_TEST_BINS) $($(m)_FUZZ_BINS))
CHECK_PROGRAMS :=
else
CHECK_BINS := $(TEST_BINS) $(FUZZ_REPLAY_BINS)
CHECK_PROGRAMS := all
endif

.PHONY: test check e2e build-tests
build-tests: $(CHECK_PROGRAMS) $(CHECK_BINS)

check: build-tests
	$(Q)$(PROVE) $(CHECK_BINS)

e2e: all
	$(Q)KL_BIN=$(abspath $(B)/kube-lite) $(PROVE) $(E2E_TESTS)

test: build-tests
	$(Q)KL_BIN=$(abspath $(B)/kube-lite) $(PROVE) $(TEST_BINS) $(FUZZ_REPLAY_BINS) $(E2E_TESTS)

# What CI runs (.ci/run, the README's test command): the source checks, a clang
# build that must be warning-free, then every test under ASan+UBSan.
.PHONY: ci
ci:
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory CC=clang all
	$(Q)$(MAKE) --no-print-directory static-check
	$(Q)$(MAKE) --no-print-directory FUZZ_SMOKE_SECONDS=3 fuzz-smoke
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 test

# ---------------------------------------------------------------------------
# Benchmarks: built optimised (release variant) and run one after another, each
# printing its figures beside the reference it measured in the same run.

.PHONY: bench bench-run
bench:
	$(Q)$(MAKE) --no-print-directory VARIANT=release bench-run

# Benchmarks that run kube-lite itself run the static binary: it is what users install,
# and a dynamically linked one spends milliseconds in the loader at every start.
bench-run: all $(BENCH_BINS) static
	$(Q)KL_BENCH_BIN=build/static/kube-lite ./scripts/bench.sh $(BENCH_BINS)

# ---------------------------------------------------------------------------
# Fuzzing (clang, libFuzzer)

FUZZ_CFLAGS := -std=gnu17 -Ipkg -D_GNU_SOURCE -DKL_TEST_BUILD -DKL_FUZZING -O1 -g \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(foreach m,$(MODULES),$(patsubst %.c,$(FUZZ_B)/pkg/$(m)/fuzz/%,$($(m)_FUZZ)))
FUZZ_SMOKE_SECONDS ?= 5

$(FUZZ_B)/%.o: %.c $(DEPS_STAMP)
	@echo "  CC      $< (fuzz)"
	$(Q)mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) $(call pkg_cflags,$(ALL_PKGS)) -MMD -MP -c -o $@ $<

define FUZZ_template
$(FUZZ_B)/pkg/$(1)/fuzz/%: $(FUZZ_B)/pkg/$(1)/fuzz/%.o \
		$$(patsubst $(B)/%,$(FUZZ_B)/%,$$(foreach d,$(1) $$($(1)_CLOSURE),$$($$(d)_OBJS)))
	@echo "  LINK    $$@"
	$(Q)clang -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$(call pkg_libs,$$($(1)_LINK_PKGS))
endef
$(foreach m,$(MODULES),$(eval $(call FUZZ_template,$(m))))

.PHONY: fuzz fuzz-smoke
fuzz: $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_TARGETS)
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
		name=$$(basename $$t); mod=$$(echo $$t | cut -d/ -f4); \
		corpus=pkg/$$mod/fuzz/corpus/$$name; work=$$(mktemp -d); \
		echo "  FUZZ    $$name ($(FUZZ_SMOKE_SECONDS)s)"; \
		$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) -max_len=65536 -artifact_prefix=$$work.crash- \
			$$work $$corpus \
			>$$work.log 2>&1 || { tail -n 40 $$work.log; exit 1; }; \
		rm -rf $$work $$work.log; \
	done

# ---------------------------------------------------------------------------
# Lint

.PHONY: lint format compile_commands.json
LINT_FILES = $(shell git ls-files '*.c' '*.h' | grep -v '^third_party/')

compile_commands.json:
	$(Q)./scripts/compile-commands.sh "clang $(filter-out -Wjump-misses-init,$(CFLAGS_ALL)) \
		$(call pkg_cflags,$(ALL_PKGS)) -DKL_VERSION='\"$(KL_VERSION)\"' \
		-DKL_GIT_COMMIT='\"$(GIT_COMMIT)\"' -DKL_KUBE_VERSION='\"$(KL_KUBE_VERSION)\"'" \
		$(ALL_SRCS) pkg/testing/fuzz-main.c > $@

lint: compile_commands.json | $(DEPS_STAMP)
	@echo "  FORMAT  (clang-format --dry-run)"
	$(Q)clang-format --dry-run --Werror $(LINT_FILES)
	@echo "  CHECK   scripts/check-src.sh"
	$(Q)./scripts/check-src.sh
	@echo "  CHECK   scripts/check-deps.sh"
	$(Q)./scripts/check-deps.sh
	@echo "  TIDY    (clang-tidy)"
	$(Q)./scripts/run-clang-tidy.sh $(filter %.c,$(LINT_FILES))

format:
	$(Q)clang-format -i $(LINT_FILES)

# ---------------------------------------------------------------------------
# The fully static release binary (musl; third_party/build.sh builds the libraries)

.PHONY: static
static: | $(DEPS_STAMP)
	$(Q)prefix=$$(./third_party/build.sh | tail -n 1) && \
		$(MAKE) --no-print-directory VARIANT=static KL_STATIC_PREFIX="$$prefix" build/static/kube-lite
	$(Q)file build/static/kube-lite | grep -q 'statically linked' || \
		{ echo "static: build/static/kube-lite is not statically linked" >&2; exit 1; }
	@echo "  STATIC  build/static/kube-lite ($$(stat -c %s build/static/kube-lite) bytes stripped;" \
		"debug info in build/static/kube-lite.debug)"

# The static binary's own checks (e2e/static/): statically linked, runs alone in a chroot.
.PHONY: static-check
static-check: static
	$(Q)KL_STATIC_BIN=$(abspath build/static/kube-lite) $(PROVE) e2e/static/*.bats

# ---------------------------------------------------------------------------

.PHONY: clean install
PREFIX ?= /usr/local
install: all
	install -D -m 0755 $(B)/kube-lite $(DESTDIR)$(PREFIX)/bin/kube-lite

clean:
	rm -rf build $(PROGRAMS) compile_commands.json
