#!/bin/sh
# alpr-match: exact and lenient matching, differences, wildcards, every
# candidate tried.
. "$(dirname "$0")/lib.sh"
plan 41

cat >"$T/list.csv" <<'L'
plate,category,reason,priority
7ABC123,stolen-vehicle,taken from a lot,1
8OSB500,wanted,armed,2
4DEF567,missing-person,,high
L
cat >"$T/partial.csv" <<'L'
plate,category,reason
9AB*,crime-scene-partial,hit and run
*K4?1,crime-scene-partial,robbery
L

# m READ-PLATE [CANDIDATE...]: one read record
m() {
	p=$1; shift
	c=
	for x do c="$c${c:+,}{\"plate\":\"$x\",\"conf\":50}"; done
	echo "{\"type\":\"read\",\"v\":1,\"plate\":\"$p\"${c:+,\"candidates\":[$c]}}"
}
# what: entry, match, differences and matched string of each hit of line N
what() {
	sed -n "${1}p" "$T/out" | grep -q '"hits"' || { sed -n "${1}p" "$T/out"; return; }
	sed -n "${1}p" "$T/out" | grep -o '"entry":"[^"]*"\|"match":"[^"]*"\|"matched":"[^"]*"\|"differences":[0-9]*' |
	sed 's/^"[a-z]*"://; s/"//g' | tr '\n' ' ' | sed 's/ $//'
}

{
	m 7ABC123		# 1 exact
	m 7A8C123		# 2 B read as 8: confusion class
	m 80SB5OO		# 3 O/0 and S/5 and B/8 all at once
	m 7ABC12		# 4 one character missing
	m 7ABC1234		# 5 one extra
	m 7XBC123		# 6 one substitution outside the classes
	m 7XYC123		# 7 two differences: no hit
	m NOPE1 QQQ 4DEF567	# 8 only the third candidate hits
	m 9ABQ999		# 9 9AB* prefix
	m XK491 		# 10 *K4?1
	m XYZK4Z1		# 11 *K4?1 with a longer run
	m K4Z1			# 12 the run may be empty
	m XK4Z12		# 13 not at the end: no hit
} >"$T/reads"

check "lenient is the default" alpr-match -l "$T/list.csv" -l "$T/partial.csv" "$T/reads"
is "an exact read" "$(what 1)" "7ABC123 exact 7ABC123"
is "a confusion-class read is lenient with 0 differences" "$(what 2)" \
	"7ABC123 lenient 7A8C123 0"
is "several confusions at once" "$(what 3)" "8OSB500 lenient 80SB5OO 0"
is "a missing character is 1 difference" "$(what 4)" "7ABC123 lenient 7ABC12 1"
is "an extra character is 1 difference" "$(what 5)" "7ABC123 lenient 7ABC1234 1"
is "a substitution is 1 difference" "$(what 6)" "7ABC123 lenient 7XBC123 1"
is "two differences do not hit at -d 1" "$(what 7)" '{"type":"read","v":1,"plate":"7XYC123"}'
is "every candidate is tried" "$(what 8)" "4DEF567 exact 4DEF567"
is "a prefix wildcard" "$(what 9)" "9AB* exact 9ABQ999"
is "? and * wildcards" "$(what 10)" "*K4?1 exact XK491"
is "* takes a longer run" "$(what 11)" "*K4?1 exact XYZK4Z1"
is "* may be empty" "$(what 12)" "*K4?1 exact K4Z1"
is "a wildcard is anchored at both ends" "$(what 13)" '{"type":"read","v":1,"plate":"XK4Z12"}'
like "a hit names list, entry, category, reason, priority" "$(sed -n 1p "$T/out")" \
	'"hits":\[\{"list":"list","file":"[^"]*/list.csv","line":2,"entry":"7ABC123","category":"stolen-vehicle","reason":"taken from a lot","priority":1,'
like "and reminds the officer to confirm it" "$(sed -n 1p "$T/out")" \
	'"confirm":"unconfirmed: confirm this hit through CLETS [^"]*before taking any enforcement action"\}\]\}$'
like "a priority that is not a number stays a string" "$(sed -n 8p "$T/out")" \
	'"priority":"high"'

# Two hits on one read: exact before lenient.
printf 'plate,category\n7A8C123,stolen-plate\n' >"$T/plates.csv"
m 7ABC123 >"$T/two"
check "one read, two lists" alpr-match -l "$T/plates.csv" -l "$T/list.csv" "$T/two"
is "both hit, the exact one first" "$(what 1)" \
	"7ABC123 exact 7ABC123 7A8C123 lenient 7ABC123 0"

# Per-list matching: -e before a list makes it exact, -d N sets differences.
check "-e: exact matching for the lists after it" \
	alpr-match -e -l "$T/list.csv" -l "$T/partial.csv" "$T/reads"
is "an exact read still hits" "$(what 1)" "7ABC123 exact 7ABC123"
is "a confusion-class read does not" "$(what 2)" '{"type":"read","v":1,"plate":"7A8C123"}'
check "-d 2" alpr-match -d 2 -l "$T/list.csv" "$T/reads"
is "two differences hit at -d 2" "$(what 7)" "7ABC123 lenient 7XYC123 2"
check "-d 0 -l A -e -l B: modes per list" alpr-match -d 0 -l "$T/list.csv" -e -l "$T/plates.csv" "$T/two" "$T/reads"
is "only confusion classes at -d 0" "$(what 1; echo; what 3; echo; what 5)" \
"7ABC123 exact 7ABC123
7A8C123 exact 7A8C123 7ABC123 lenient 7A8C123 0
{\"type\":\"read\",\"v\":1,\"plate\":\"7ABC12\"}"
check_status 2 "-e after the last -l is a usage error" alpr-match -l "$T/list.csv" -e "$T/reads"

# Two differences are two, however they are made: two characters swapped,
# or one missing and another extra elsewhere.
{
	m 7ACB123		# 1 B and C swapped
	m ABC1237		# 2 the 7 moved from the front to the end
	m 7ABC12		# 3 one missing: one difference
} >"$T/two-edits"
check "two differences made otherwise, at -d 1" alpr-match -l "$T/list.csv" "$T/two-edits"
is "two characters swapped do not hit" "$(what 1)" '{"type":"read","v":1,"plate":"7ACB123"}'
is "one missing and one extra do not hit" "$(what 2)" '{"type":"read","v":1,"plate":"ABC1237"}'
check "and at -d 2" alpr-match -d 2 -l "$T/list.csv" "$T/two-edits"
is "they hit, with two differences each" "$(what 1; echo; what 2)" \
"7ABC123 lenient 7ACB123 2
7ABC123 lenient ABC1237 2"
check "every read of up to 6 characters against every entry, by brute force" match-brute -l

# Every confusion class, one read each, at -d 0: a hit with no difference.
printf 'plate,category\n' >"$T/classes.csv"
i=0
for p in 0O 0D 0Q 1I 2Z 5S 8B 6G; do
	a=${p%?} b=${p#?} i=$((i + 1))
	echo "7X${a}Y$i$a,stolen-plate" >>"$T/classes.csv"
	m "7X${b}Y$i$b"
done >"$T/classes"
check "every confusion class" alpr-match -d 0 -l "$T/classes.csv" "$T/classes"
is "each read hits, with 0 differences" \
	"$(for i in 1 2 3 4 5 6 7 8; do what $i; echo; done)" \
"7X0Y10 lenient 7XOY1O 0
7X0Y20 lenient 7XDY2D 0
7X0Y30 lenient 7XQY3Q 0
7X1Y41 lenient 7XIY4I 0
7X2Y52 lenient 7XZY5Z 0
7X5Y65 lenient 7XSY6S 0
7X8Y78 lenient 7XBY7B 0
7X6Y86 lenient 7XGY8G 0"

# Every candidate, as many as alpr-ocr gives (-n 64): past the 32 plates
# the fast scan keeps, and past 32 strings in the matcher.
m NOPE2 $(seq -f 'Q%gQQ' 1 36) 7ABC123 $(seq -f 'R%gRR' 1 26) >"$T/many"
check "a read of 64 candidates" alpr-match -l "$T/list.csv" "$T/many"
is "its 37th hits" "$(what 1)" "7ABC123 exact 7ABC123"

# A wildcard entry of a list loaded with -e matches exactly, never through
# the confusion classes.
m 9A8Q999 >"$T/wild8"
check "-e: a wildcard list" alpr-match -e -l "$T/partial.csv" "$T/wild8"
is "9AB* does not hit 9A8Q999" "$(what 1)" '{"type":"read","v":1,"plate":"9A8Q999"}'
check "without -e" alpr-match -l "$T/partial.csv" "$T/wild8"
is "it hits, leniently" "$(what 1)" "9AB* lenient 9A8Q999 0"
