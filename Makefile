# MUSE power-cut tools.
#
#   make               the UML kernel with MUSE (Linux 6.12) and the muse tool
#   make check         every test, on Linux 6.12 and 6.1; ends with
#                      "N passed, N failed, N skipped"
#   make demo          UBIFS on a served flash in UML; record, replay, sweep a workload
#   make bench         MUSE against nandsim, recording and replay costs, per kernel
#   make kernel        the UML kernels of KERNELS (default 6.12), e.g.
#                      make kernel KERNELS="6.12 6.1"
#   make kernel-debug  their KASAN/lockdep variants, used by the lifetime tests
#   make fuzz          each libFuzzer harness for FUZZ_TIME seconds (clang)
#   make deps          install missing Debian packages (all targets do this)
#   make man           the manual pages (build/man/*.1, from man/*.scd)
#   make install       muse, its kernel recipes, manual pages, bash completion
#                      and docs under PREFIX (default /usr/local), DESTDIR;
#                      make uninstall removes them

BUILD    := build
Q        := $(if $(V),,@)
ifeq ($(origin CC),default)
CC       := gcc
endif
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
BASE_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_FILE_OFFSET_BITS=64 -I$(BUILD)/gen
# libfuse3 (muse mount); asked for when used, after scripts/deps ran
FUSE_CFLAGS = $(shell pkg-config --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
FUSE_LIBS   = $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3)
LDLIBS   = -lsqlite3 -lzstd -lcrypto -lz $(FUSE_LIBS) -lpthread -lm
SANITIZE := -fsanitize=address,undefined

# The libraries under lib/, each a static library.  A subsystem is
# compiled with its own folder and the folders of the layers below it on
# the include path, nothing else, so an include that crosses the layering
# fails the build (docs/architecture.md draws the layers).
LAYERS_base   := base
LAYERS_mtd    := base mtd
LAYERS_flash  := base mtd flash
LAYERS_muse   := base mtd muse
LAYERS_fault  := base mtd flash fault
LAYERS_device := base mtd flash fault muse device
LAYERS_image  := base mtd flash image
LAYERS_trace  := base mtd flash trace
LAYERS_uml    := base uml
SUBSYSTEMS := base mtd flash fault image muse device trace uml
# The commands see every library's public headers; lib/X/private/ is seen
# by X alone, and by the unit tests, which look inside.
APP_DIRS  := $(addprefix lib/,$(SUBSYSTEMS)) recorder replayer cli
APP_INC    = $(addprefix -I,$(APP_DIRS)) $(FUSE_CFLAGS)
TEST_INC   = $(APP_INC) $(addprefix -I,$(wildcard lib/*/private))

subsystem_of = $(word 2,$(subst /, ,$(1)))
lib_inc = $(addprefix -Ilib/,$(LAYERS_$(1))) $(if $(wildcard lib/$(1)/private),-Ilib/$(1)/private)
inc_for = $(if $(filter lib/%,$(1)),$(call lib_inc,$(call subsystem_of,$(1))),$(if $(filter tests/%,$(1)),$(TEST_INC),$(APP_INC)))

lib_srcs = $(wildcard lib/$(1)/*.c)
LIB_SRCS  := $(foreach s,$(SUBSYSTEMS),$(call lib_srcs,$(s)))
MUSE_SRCS := $(wildcard cli/*.c recorder/*.c replayer/*.c)
# the replayer's modules (not its commands) are unit-tested
REPLAY_SRCS := $(filter-out %_cmd.c,$(wildcard replayer/*.c))
UNIT_SRCS := $(wildcard tests/unit/*.c)

VERSION := $(shell cat VERSION)$(shell git describe --always --dirty 2>/dev/null | sed 's/^/+/')

MUSE     := $(BUILD)/bin/muse
UNIT     := $(BUILD)/tests/unit-tests
UNIT_SAN := $(BUILD)/tests/unit-tests-asan
RAWINIT  := $(BUILD)/tests/muse-rawinit
KILLCHECK := $(BUILD)/tests/muse-killcheck
HOSTILED := $(BUILD)/tests/muse-hostiled
PACKSTAT := $(BUILD)/tests/muse-packstat
REPLAYBENCH := $(BUILD)/tests/muse-replaybench

# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c), built by clang with ASan
# and UBSan against the libraries built the same way
FUZZ_NAMES := request geometry init_params markproto image journal trace
FUZZ_BINS  := $(patsubst %,$(BUILD)/tests/fuzz-%,$(FUZZ_NAMES))
FUZZ_SEEDS := $(BUILD)/tests/fuzz-seeds
FUZZ_CC    := clang
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	      -fno-sanitize-recover=all
FUZZ_TIME  ?= 60
GEN      := $(BUILD)/gen/trace_schema.h $(BUILD)/gen/results_schema.h \
	    $(BUILD)/gen/fuzz_schema.h \
	    $(BUILD)/gen/version.h $(BUILD)/gen/report_assets.h

.SECONDEXPANSION:

.PHONY: all muse kernel kernel-debug check unit fuzz-build fuzz clang-check demo bench deps clean \
	man install uninstall

all: muse kernel

muse: $(BUILD)/deps-stamp $(MUSE)

# schema/NAME/NNN-*.sql, one file per version, as NAME_schema.h
schema_files = $(sort $(wildcard schema/$(1)/[0-9]*.sql))

$(BUILD)/gen/%_schema.h: scripts/embed-schema $$(call schema_files,%)
	@mkdir -p $(@D)
	$(Q)scripts/embed-schema $* $(call schema_files,$*) > $@

# the reports' stylesheet and scripts (sweep, fuzz campaign), carried by every report
$(BUILD)/gen/report_assets.h: scripts/embed-text replayer/report/report.css \
			     replayer/report/report.js replayer/report/fuzz.js
	@mkdir -p $(@D)
	$(Q){ scripts/embed-text report_css replayer/report/report.css && \
	      scripts/embed-text report_js replayer/report/report.js && \
	      scripts/embed-text fuzz_js replayer/report/fuzz.js; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/version.h: VERSION FORCE
	@mkdir -p $(@D)
	@echo '#define MUSE_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

obj = $(patsubst %.c,$(BUILD)/obj/$(1)/%.o,$(2))

# Generated headers exist before anything compiles; the few files that
# include them depend on them through the compiler's dependency lists.
$(BUILD)/obj/normal/%.o: %.c | $(GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(call inc_for,$<) -MMD -MP -c $< -o $@

$(BUILD)/obj/asan/%.o: %.c | $(GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC asan $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(call inc_for,$<) -O1 $(SANITIZE) \
		-fno-omit-frame-pointer -fno-sanitize-recover=all -MMD -MP -c $< -o $@

$(BUILD)/obj/fuzz/%.o: %.c | $(GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC fuzz $<")
	$(Q)$(FUZZ_CC) $(filter-out -O2,$(BASE_CFLAGS)) $(call inc_for,$<) $(FUZZ_FLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

# one archive per subsystem and build flavour
libs = $(foreach s,$(SUBSYSTEMS),$(BUILD)/lib/$(1)/libmuse-$(s).a)
define subsystem_lib
$(BUILD)/lib/$(1)/libmuse-$(2).a: $(call obj,$(1),$(call lib_srcs,$(2)))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  AR      $$@")
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach f,normal asan fuzz,$(foreach s,$(SUBSYSTEMS),$(eval $(call subsystem_lib,$(f),$(s)))))

# archives in dependency order: a library before those it uses
LINK_ORDER := device fault trace image flash muse mtd uml base
link_libs = $(foreach s,$(LINK_ORDER),$(BUILD)/lib/$(1)/libmuse-$(s).a)
link = @mkdir -p $(@D); $(if $(Q),echo "  LD      $@";) \
	$(CC) $(BASE_CFLAGS) $(1) -o $@ $(filter %.o,$^) $(call link_libs,$(2)) $(LDLIBS)

$(MUSE): $(call obj,normal,$(MUSE_SRCS)) $(call libs,normal)
	$(call link,,normal)

$(UNIT): $(call obj,normal,$(UNIT_SRCS) $(REPLAY_SRCS)) $(call libs,normal)
	$(call link,,normal)

$(RAWINIT): $(call obj,normal,tests/tools/rawinit.c) $(call libs,normal)
	$(call link,,normal)

$(KILLCHECK): $(call obj,normal,tests/tools/killcheck.c) $(call libs,normal)
	$(call link,,normal)

$(HOSTILED): $(call obj,normal,tests/tools/hostiled.c) $(call libs,normal)
	$(call link,,normal)

$(PACKSTAT): $(call obj,normal,tests/tools/packstat.c) $(call libs,normal)
	$(call link,,normal)

$(REPLAYBENCH): $(call obj,normal,tests/tools/replaybench.c $(REPLAY_SRCS)) $(call libs,normal)
	$(call link,,normal)

$(UNIT_SAN): $(call obj,asan,$(UNIT_SRCS) $(REPLAY_SRCS)) $(call libs,asan)
	$(call link,$(SANITIZE),asan)

$(BUILD)/tests/fuzz-%: $(BUILD)/obj/fuzz/tests/fuzz/fuzz_%.o \
		$(BUILD)/obj/fuzz/tests/fuzz/fuzz_common.o $(call libs,fuzz)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD fuzz $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
		$(call link_libs,fuzz) $(LDLIBS)

$(FUZZ_SEEDS): $(call obj,normal,tests/fuzz/seeds.c tests/fuzz/fuzz_common.c) $(call libs,normal)
	$(call link,,normal)

fuzz-build: $(BUILD)/deps-stamp $(FUZZ_BINS) $(FUZZ_SEEDS)

# Runs every harness for FUZZ_TIME seconds over the committed corpus and
# the seeds; new inputs go to build/fuzz/NAME, crashes to build/fuzz/crashes
fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_TIME) $(FUZZ_NAMES)

# the kernel versions "make kernel" builds; "make check" tests them all
KERNELS      ?= 6.12
TEST_KERNELS := 6.12 6.1

kernel: $(BUILD)/deps-stamp
	$(Q)for k in $(KERNELS); do kernel/build.sh $$k uml || exit 1; done

kernel-debug: $(BUILD)/deps-stamp
	$(Q)for k in $(KERNELS); do kernel/build.sh $$k uml-debug || exit 1; done

unit: $(UNIT) $(UNIT_SAN) $(RAWINIT) $(KILLCHECK) $(HOSTILED)

# clang's warnings differ from gcc's; both must be silent
CLANG_SRCS := $(LIB_SRCS) $(MUSE_SRCS) $(UNIT_SRCS) $(wildcard tests/tools/*.c tests/fuzz/*.c)
clang-check: $(GEN)
	$(Q)$(foreach f,$(CLANG_SRCS),clang $(BASE_CFLAGS) $(call inc_for,$(f)) -fsyntax-only $(f) &&) true

# tests/run builds the kernels itself, beside the tests of those it has
check: muse unit fuzz-build $(BUILD)/deps-stamp
	KERNELS="$(TEST_KERNELS)" tests/run

demo: all
	$(MUSE) uml -- scripts/demo.sh
	scripts/demo-sweep.sh

bench: muse $(PACKSTAT) $(REPLAYBENCH)
	$(Q)$(MAKE) -s kernel KERNELS="$(TEST_KERNELS)"
	KERNELS="$(TEST_KERNELS)" tests/bench/run

# ---- manual pages and installation ---------------------------------------------

PREFIX   ?= /usr/local
DESTDIR  ?=
MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(wildcard man/*.scd))
SHARE    := $(DESTDIR)$(PREFIX)/share

man: $(BUILD)/deps-stamp $(MAN_PAGES)

$(BUILD)/man/%.1: man/%.1.scd
	@mkdir -p $(@D)
	$(Q)scdoc < $< > $@.tmp && mv $@.tmp $@

# An installed muse builds its kernels from a copy of share/muse/kernel in
# the user's cache (~/.cache/muse/installed), cached by the same input hash
install: muse man
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/muse $(SHARE)/man/man1 \
		$(SHARE)/bash-completion/completions $(SHARE)/doc/muse/docs
	install -m 755 $(MUSE) $(DESTDIR)$(PREFIX)/bin/muse
	rm -rf $(SHARE)/muse/kernel
	cp -R kernel $(SHARE)/muse/kernel
	chmod -R u=rwX,go=rX $(SHARE)/muse/kernel
	install -m 644 $(MAN_PAGES) $(SHARE)/man/man1/
	install -m 644 scripts/muse-completion.bash $(SHARE)/bash-completion/completions/muse
	install -m 644 README.md $(SHARE)/doc/muse/
	install -m 644 docs/*.md $(SHARE)/doc/muse/docs/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/muse $(SHARE)/bash-completion/completions/muse
	rm -f $(patsubst $(BUILD)/man/%,$(SHARE)/man/man1/%,$(MAN_PAGES))
	rm -rf $(SHARE)/muse $(SHARE)/doc/muse

$(BUILD)/deps-stamp: scripts/deps
	@scripts/deps
	@mkdir -p $(BUILD) && touch $@

deps:
	scripts/deps

clean:
	rm -rf $(BUILD)

FORCE:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
