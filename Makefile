# alpr: see README. ./configure writes config.mk; make builds bin/.
#
# check, demo and deps install what is missing before anything is built,
# so they must not run ./configure first (it would fail on a fresh
# machine); they build through a sub-make, which configures on demand.
ifeq ($(filter deps check check-sanitize demo clean distclean,$(MAKECMDGOALS)),)
-include config.mk
endif

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/alpr

WARN = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DALPR_DATADIR='"$(DATADIR)"' \
	-Ilib $(WARN) $(CPPFLAGS) $(CFLAGS) $(DEP_CFLAGS)

# lib/: what every program shares; lib/capture, lib/recognition,
# lib/hotlist, lib/log and lib/store: the parts, one folder each.
LIBSRC = $(wildcard lib/*.c lib/*/*.c)
LIBOBJ = $(LIBSRC:.c=.o)
CMDSRC = $(wildcard cmd/*.c)
BINS = $(patsubst cmd/%.c,bin/%,$(CMDSRC))
TOOLSRC = $(wildcard tests/tools/*.c)
TOOLS = $(TOOLSRC:.c=)
FUZZSRC = $(filter-out tests/fuzz/replay.c,$(wildcard tests/fuzz/*.c))
FUZZBIN = $(patsubst tests/fuzz/%.c,tests/fuzz/bin/%,$(FUZZSRC))
FUZZTIME ?= 60
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)
DATA = $(wildcard share/alpr/*)

all: lib/libalpr.a $(BINS) $(TOOLS) $(FUZZBIN) tests/preload/die.so

config.mk:
	./configure

lib/libalpr.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

lib/%.o: lib/%.c lib/alpr.h config.mk
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

lib/store/%.o: lib/store/%.c lib/store/store.h lib/alpr.h config.mk
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.c lib/libalpr.a config.mk
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libalpr.a $(DEP_LIBS)

tests/tools/%: tests/tools/%.c lib/libalpr.a config.mk
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libalpr.a $(DEP_LIBS)

# A crash at a chosen call, for the tests (LD_PRELOAD).
tests/preload/die.so: tests/preload/die.c config.mk
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -fPIC -o $@ $< -ldl

# The fuzz harnesses, linked with replay.c: make check replays the corpus.
tests/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
    lib/libalpr.a config.mk
	@mkdir -p tests/fuzz/bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		lib/libalpr.a $(DEP_LIBS)

deps:
	@./scripts/deps

# check and demo install what is missing first, then build.
check: deps
	@$(MAKE) --no-print-directory all
	prove -f tests/*.t

demo: deps
	@$(MAKE) --no-print-directory all
	./scripts/demo

# Fuzz each harness for FUZZTIME seconds (FUZZ=name for one): clang's
# libFuzzer with AddressSanitizer and UBSan; see scripts/fuzz.
fuzz: all
	DEP_CFLAGS='$(DEP_CFLAGS)' DEP_LIBS='$(DEP_LIBS)' \
		./scripts/fuzz -t $(FUZZTIME) $(FUZZ)

# The whole test suite on a build with AddressSanitizer and UBSan, in a
# scratch copy of the tree; see scripts/check-sanitize.
check-sanitize: deps
	./scripts/check-sanitize

install: all
	install -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 644 $(DATA) $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7))) \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(DATA)))
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || :

clean:
	rm -rf bin lib/*.o lib/*/*.o lib/libalpr.a $(TOOLS) tests/tmp \
		tests/preload/*.so \
		tests/fuzz/bin tests/fuzz/work

distclean: clean
	rm -f config.mk

.PHONY: all deps check check-sanitize demo fuzz install uninstall clean \
	distclean
.PRECIOUS: lib/%.o
