#!/bin/sh
# alpr-match: every * of a wildcard entry matches any run of characters,
# the empty one included, checked against fnmatch(3) over every pattern
# of a small alphabet.
. "$(dirname "$0")/lib.sh"
plan 5

printf 'plate,category\n7AB*12*,crime-scene-partial\n' >"$T/two.csv"
printf '%s\n' '{"type":"read","v":1,"plate":"7AB12"}' \
	'{"type":"read","v":1,"plate":"7ABX12Y"}' \
	'{"type":"read","v":1,"plate":"7AB1"}' >"$T/reads"
check "a list with two stars" alpr-match -e -l "$T/two.csv" "$T/reads"
is "both stars may match nothing, or something; too short misses" \
	"$(grep -c '"entry":"7AB\*12\*"' "$T/out")" 2
like "the empty runs hit" "$(sed -n 1p "$T/out")" '"matched":"7AB12"'

check "every pattern against fnmatch" match-brute "$T"
like "with many hits, exact and lenient" "$(cat "$T/out")" \
	"^-d -1: [0-9]+ patterns, [0-9]+ plates, [0-9]{5,} hits
-d 1: [0-9]+ patterns, [0-9]+ plates, [0-9]{5,} hits$"
done_testing
