# MUSE power-cut tools.
#
#   make               the UML kernel with MUSE and the muse tool
#   make check         every test; ends with "N passed, N failed, N skipped"
#   make demo          UBIFS on a served flash in UML; record, replay, sweep a workload
#   make bench         MUSE against nandsim, recording and replay costs
#   make kernel-debug  the KASAN/lockdep kernel used by the lifetime tests
#   make deps          install missing Debian packages (all targets do this)

BUILD    := build
Q        := $(if $(V),,@)
CC       ?= gcc
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_FILE_OFFSET_BITS=64 \
	      -Ilib -Irecorder -Ireplayer -Icli -I$(BUILD)/gen
LDLIBS   := -lsqlite3 -lzstd -lcrypto -lz -lpthread -lm
SANITIZE := -fsanitize=address,undefined

LIB_SRCS  := $(wildcard lib/*.c)
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
PACKSTAT := $(BUILD)/tests/muse-packstat
REPLAYBENCH := $(BUILD)/tests/muse-replaybench

.PHONY: all muse kernel kernel-debug check unit clang-check demo bench deps clean

all: muse kernel

muse: $(BUILD)/deps-stamp $(MUSE)

SCHEMA := $(sort $(wildcard schema/[0-9]*.sql))

$(BUILD)/gen/schema.h: $(SCHEMA) scripts/embed-schema
	@mkdir -p $(@D)
	$(Q)scripts/embed-schema $(SCHEMA) > $@

$(BUILD)/gen/version.h: VERSION FORCE
	@mkdir -p $(@D)
	@echo '#define MUSE_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

obj = $(patsubst %.c,$(BUILD)/obj/$(1)/%.o,$(2))

$(BUILD)/obj/normal/%.o: %.c $(BUILD)/gen/version.h $(BUILD)/gen/schema.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/asan/%.o: %.c $(BUILD)/gen/version.h $(BUILD)/gen/schema.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC asan $<")
	$(Q)$(CC) $(ALL_CFLAGS) -O1 $(SANITIZE) -fno-omit-frame-pointer \
		-fno-sanitize-recover=all -MMD -MP -c $< -o $@

link = @mkdir -p $(@D); $(if $(Q),echo "  LD      $@";) \
	$(CC) $(ALL_CFLAGS) $(1) -o $@ $^ $(LDLIBS)

$(MUSE): $(call obj,normal,$(MUSE_SRCS) $(LIB_SRCS))
	$(call link)

$(UNIT): $(call obj,normal,$(UNIT_SRCS) $(REPLAY_SRCS) $(LIB_SRCS))
	$(call link)

$(RAWINIT): $(call obj,normal,tests/tools/rawinit.c lib/proto.c lib/error.c)
	$(call link)

$(KILLCHECK): $(call obj,normal,tests/tools/killcheck.c $(LIB_SRCS))
	$(call link)

$(PACKSTAT): $(call obj,normal,tests/tools/packstat.c $(LIB_SRCS))
	$(call link)

$(REPLAYBENCH): $(call obj,normal,tests/tools/replaybench.c $(REPLAY_SRCS) $(LIB_SRCS))
	$(call link)

$(UNIT_SAN): $(call obj,asan,$(UNIT_SRCS) $(REPLAY_SRCS) $(LIB_SRCS))
	$(call link,$(SANITIZE))

kernel: $(BUILD)/deps-stamp
	kernel/build.sh uml

kernel-debug: $(BUILD)/deps-stamp
	kernel/build.sh uml-debug

unit: $(UNIT) $(UNIT_SAN) $(RAWINIT) $(KILLCHECK)

# clang's warnings differ from gcc's; both must be silent
clang-check: $(BUILD)/gen/version.h $(BUILD)/gen/schema.h
	clang $(ALL_CFLAGS) -fsyntax-only $(LIB_SRCS) $(MUSE_SRCS) $(UNIT_SRCS) \
		tests/tools/rawinit.c tests/tools/killcheck.c tests/tools/packstat.c \
		tests/tools/replaybench.c

check: all kernel-debug unit
	tests/run

demo: all
	$(MUSE) uml -- scripts/demo.sh
	scripts/demo-sweep.sh

bench: all $(PACKSTAT) $(REPLAYBENCH)
	tests/bench/run

$(BUILD)/deps-stamp: scripts/deps
	@scripts/deps
	@mkdir -p $(BUILD) && touch $@

deps:
	scripts/deps

clean:
	rm -rf $(BUILD)

FORCE:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
