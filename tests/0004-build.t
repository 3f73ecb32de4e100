#!/bin/sh
# The tree builds with clang as with gcc, and keeps Debian's hardening
# flags (dpkg-buildflags: CPPFLAGS, CFLAGS, LDFLAGS) in every compile and
# link; built in a scratch copy.
. "$(dirname "$0")/lib.sh"
command -v clang >/dev/null || skip_all "no clang (scripts/deps installs it)"
command -v dpkg-buildflags >/dev/null || skip_all "no dpkg-buildflags"
plan 7
mkdir "$T/src" "$T/src/tests" &&
	cp -R "$top/Makefile" "$top/configure" "$top/lib" "$top/cmd" "$T/src/" &&
	cp -R "$top/tests/tools" "$top/tests/fuzz" "$top/tests/preload" "$T/src/tests/" || exit 1
cd "$T/src" && rm -rf lib/*.o lib/*/*.o lib/*.a tests/fuzz/bin tests/fuzz/work &&
	find tests/tools tests/preload -type f ! -name '*.c' -exec rm -f {} + || exit 1
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
export CFLAGS CPPFLAGS LDFLAGS
CC=clang check "configure takes CC, CPPFLAGS and LDFLAGS from the environment" ./configure
like "config.mk keeps them" "$(grep -E '^(CC|CPPFLAGS|LDFLAGS) =' config.mk | tr '\n' '|')" \
	"^CC = clang\|CPPFLAGS = .*-D_FORTIFY_SOURCE=2.*\|LDFLAGS = .*-Wl,-z,now"
check "clang builds every program, the library, the test tools and fuzz harnesses" make -j2 all
grep -E '^clang ' "$T/out" >"$T/lines"
is "every compile has the hardening CPPFLAGS and CFLAGS" \
	"$(grep -c -- ' -c ' "$T/lines") $(grep -- ' -c ' "$T/lines" | grep -- '-D_FORTIFY_SOURCE=2' | grep -c -- '-fstack-protector-strong')" \
	"$(ls lib/*.c lib/*/*.c | wc -l | tr -d ' ') $(ls lib/*.c lib/*/*.c | wc -l | tr -d ' ')"
is "every link has the hardening LDFLAGS" \
	"$(grep -vc -- ' -c ' "$T/lines")" "$(grep -v -- ' -c ' "$T/lines" | grep -c -- '-Wl,-z,relro -Wl,-z,now')"
like "the programs are position independent and bound now" \
	"$(readelf -d bin/alpr-audit | grep FLAGS_1)" "NOW.*PIE"
ok $(nm -D bin/alpr-capture | grep -q '__.*_chk'; echo $?) "fortified libc calls are linked"
done_testing
