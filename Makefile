# Makefile — builds dinhdanh and runs its checks.
#   make run    install what is missing, build, serve on http://127.0.0.1:8080
#   make test   install what tests need, build with ASan+UBSan, run every suite
#   make        build build/dinhdanh
#   make bench | make fuzz | make lint | make clean

CC      ?= cc
PKGS    := libmicrohttpd gnutls jansson sqlite3 libpq openssl libutf8proc libsodium libcurl libqrencode zlib libpcsclite libeac
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS_COMMON = -std=c11 -D_GNU_SOURCE -Isrc $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

RELEASE_FLAGS := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
ASAN_FLAGS    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRC      := $(sort $(wildcard src/*/*.c src/*/*/*.c))
LIB_SRC  := $(filter-out src/cmd/main.c,$(SRC))
EMBED    := $(sort $(wildcard migrations/*.sql)) docs/openapi.json $(sort $(wildcard data/admin-units/*.csv)) $(sort $(wildcard data/procedures/*.json)) data/holidays-vn.csv
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

GEN      := embedded version
REL_OBJ  := $(SRC:%.c=build/obj/%.o) $(GEN:%=build/obj/gen/%.o)
ASAN_OBJ := $(SRC:%.c=build/asan/obj/%.o) $(GEN:%=build/asan/obj/gen/%.o)
ASAN_LIB := $(filter-out build/asan/obj/src/cmd/main.o,$(ASAN_OBJ))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

.PHONY: all run test bench fuzz lint clean deps asan unit openapi FORCE

all: build/dinhdanh

deps:
	@scripts/install-deps.sh build

build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

# The names of the embedded files, rewritten only when one is added or removed: a new migration
# may carry a date older than the last build, and must be embedded all the same.
build/gen/embed.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(EMBED)' | cmp -s - $@ || echo '$(EMBED)' >$@

build/gen/embedded.c: build/tools/embed build/gen/embed.list $(EMBED)
	@mkdir -p $(dir $@)
	build/tools/embed $@ $(EMBED)

# The version string: rewritten only when it changes, so builds stay incremental.
build/gen/version.c: FORCE
	@mkdir -p $(dir $@)
	@echo 'const char dd_version[] = "$(VERSION)";' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) -MMD -MP -c -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) -Wno-missing-prototypes -c -o $@ $<

build/dinhdanh: $(REL_OBJ)
	$(CC) $(RELEASE_FLAGS) -o $@ $^ $(LIBS)

build/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -MMD -MP -c -o $@ $<

build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -Wno-missing-prototypes -c -o $@ $<

build/asan/dinhdanh: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -Wno-missing-prototypes -o $@ $< $(ASAN_LIB) $(LIBS) -lcmocka

# The software eMRTD chip the card-reading tests put on the virtual reader.
build/asan/tests/vicc_emrtd: tests/card/vicc_emrtd.c $(ASAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -o $@ $< $(ASAN_LIB) $(LIBS)

asan: build/asan/dinhdanh
unit: $(UNIT_BIN) build/asan/tests/vicc_emrtd

run: deps build/dinhdanh
	@scripts/run-demo.sh

test:
	@scripts/install-deps.sh build test
	@$(MAKE) --no-print-directory asan unit
	@tests/run.sh

bench:
	@scripts/install-deps.sh build bench
	@$(MAKE) --no-print-directory build/dinhdanh
	@bench/run.sh

fuzz:
	@scripts/install-deps.sh build test
	@tests/fuzz/run.sh

lint:
	@scripts/install-deps.sh build lint
	@scripts/lint.sh

# docs/openapi.json is built from docs/openapi/*.json (one part per module).
openapi:
	@node scripts/openapi.mjs

clean:
	rm -rf build

-include $(REL_OBJ:.o=.d) $(ASAN_OBJ:.o=.d)
