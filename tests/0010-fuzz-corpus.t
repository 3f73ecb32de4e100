#!/bin/sh
# Every fuzz harness (tests/fuzz) replays its seed corpus, which holds every
# input that ever crashed or hung a parser: none may crash, abort (a harness
# aborts where two parsers disagree) or take more than a minute.
. "$(dirname "$0")/lib.sh"
n=$(ls "$top"/tests/fuzz/*.c | grep -vc '/replay\.c$')
plan $((2 * n))
for src in "$top"/tests/fuzz/*.c; do
	h=$(basename "$src" .c)
	[ "$h" = replay ] && continue
	c=$top/tests/fuzz/corpus/$h
	ok $([ "$(ls "$c" 2>/dev/null | wc -l)" -gt 0 ]; echo $?) "$h: has a seed corpus"
	TMPDIR=$T check "$h: replays it" timeout 60 "$top/tests/fuzz/bin/$h" "$c"
done
done_testing
