#!/bin/sh
# alpr-match: hotlist files: delimiters, aliases, quoting, bad lines,
# expiry, stale lists, folders, policy.
. "$(dirname "$0")/lib.sh"
plan 42

printf '%s\n' '{"type":"read","v":1,"plate":"7ABC123"}' \
	'{"type":"read","v":1,"plate":"5XYZ999"}' >"$T/reads"

# hits: the list, entry and category of each hit, one line per read
hits() {
	sed -n 's/.*"hits":\[{//p' "$T/out" |
	sed 's/"list":"\([^"]*\)".*"entry":"\([^"]*\)","category":"\([^"]*\)".*/\1 \2 \3/'
}

# The same list with each delimiter, each time under other header aliases.
i=0
for d in , ';' '	' '|'; do
	i=$((i + 1))
	case $i in
	1) h="plate${d}state${d}category${d}reason" ;;
	2) h="PlateNumber${d}PlateState${d}List${d}Description" ;;
	3) h="LIC${d}LIS${d}Type${d}Offense" ;;
	4) h="Tag Number${d}Registration State${d}Alert Type${d}Reason" ;;
	esac
	printf '%s\n' "$h" "7ABC123${d}CA${d}stolen-vehicle${d}taken" \
		"5XYZ999${d}NV${d}wanted${d}warrant" >"$T/d$i.csv"
	check "delimiter '$d' with header $h" alpr-match -l "$T/d$i.csv" "$T/reads"
	is "  both entries hit, fields by their aliases" "$(hits)" \
"d$i 7ABC123 stolen-vehicle
d$i 5XYZ999 wanted"
done
like "the state and reason come through" "$(cat "$T/out")" \
	'"state":"NV","reason":"warrant"'
like "the count of entries is printed on stderr" "$(cat "$T/err")" \
	"d4.csv: 2 entries loaded, 0 rejected, 0 expired"

# Quoting, BOM, CRLF, spaces and dashes in plates, extra columns.
printf '\357\273\277Plate,Category,Reason,Case No,Officer\r\n"7abc 123",stolen-vehicle,"taken, with ""keys"" inside",26-1,Smith\r\n5-XYZ-999,wanted,"two\nlines",,\r\n' >"$T/q.csv"
check "BOM, CRLF and quoted fields" alpr-match -l "$T/q.csv" "$T/reads"
like "embedded delimiter and quotes kept" "$(sed -n 1p "$T/out")" \
	'"reason":"taken, with \\"keys\\" inside"'
like "the plate is normalised; extra columns are annotations" \
	"$(sed -n 1p "$T/out")" \
	'"entry":"7ABC123".*"annotations":\{"Case No":"26-1","Officer":"Smith"\}'
like "a quoted newline is kept" "$(sed -n 2p "$T/out")" '"reason":"two\\nlines"'
like "empty extra columns are left out" "$(sed -n 2p "$T/out")" \
	'"reason":"two\\nlines","match"'

# Bad lines: named by file and line, skipped, counted.
cat >"$T/bad.csv" <<'L'
plate,category,expires
7ABC123,stolen-vehicle,2099-01-01
BAD#PLATE,wanted,
5XYZ999,wanted,2099-01-01,extra

"7AB,wanted,
*,wanted,
9ZZZ999,wanted,31/12/2099
5XYZ999,wanted,
L
check_status 1 "bad lines make exit status 1" alpr-match -l "$T/bad.csv" "$T/reads"
is "the good entries still load and match" "$(hits)" \
"bad 7ABC123 stolen-vehicle
bad 5XYZ999 wanted"
is "each bad line named with file:line and why" "$(grep -v 'entries loaded' "$T/err")" \
"alpr-match: $T/bad.csv:3: bad plate 'BAD#PLATE'
alpr-match: $T/bad.csv:4: 4 fields, the header has 3
alpr-match: $T/bad.csv:6: unterminated quoted field
alpr-match: $T/bad.csv:7: wildcard plate '*' would match too much
alpr-match: $T/bad.csv:8: bad expiry date '31/12/2099'"
like "counts loaded and rejected" "$(cat "$T/err")" \
	"bad.csv: 2 entries loaded, 5 rejected, 0 expired"

# No plate column: the whole list is refused.
printf 'name,reason\nx,y\n' >"$T/noplate.csv"
check_status 1 "a list without a plate column is refused" \
	alpr-match -l "$T/noplate.csv" -l "$T/d1.csv" "$T/reads"
like "with a message that names the line taken as the header" "$(cat "$T/err")" \
	"noplate.csv:1: the first line, name,reason, was taken as the header, and it names no plate column \\(want plate, PlateNumber, LIC, tag or the like\\): name the columns of a list without a header with --columns"
is "the other list still works" "$(hits | wc -l)" 2
check_status 1 "no list loaded at all is fatal" alpr-match -l "$T/noplate.csv" "$T/reads"
like "and says so" "$(cat "$T/err")" "fatal: no hotlist loaded"

# Expiry and effective dates.
cat >"$T/exp.csv" <<'L'
plate,category,effective,expires
7ABC123,stolen-vehicle,2020-01-01,2021-06-30
5XYZ999,wanted,,2099-12-31T23:00:00Z
6AAA111,wanted,2099-01-01,
7ABC123,missing-person,01/15/2020,20990101
L
check "expired entries are ignored" alpr-match -l "$T/exp.csv" "$T/reads"
like "with a count" "$(cat "$T/err")" \
	"exp.csv: 3 entries loaded, 0 rejected, 1 expired, 1 not yet effective"
is "only the live entries hit" "$(hits)" \
"exp 7ABC123 missing-person
exp 5XYZ999 wanted"
echo '{"type":"read","v":1,"plate":"6AAA111"}' >"$T/future"
check "an entry not yet effective" alpr-match -l "$T/exp.csv" "$T/future"
is "does not hit yet" "$(cat "$T/out")" '{"type":"read","v":1,"plate":"6AAA111"}'

# An expiry date is a whole day: the entry hits to its end. A time with
# an offset from UTC is taken at that offset. Today is today's until
# alpr-match has run: not within a minute of midnight (UTC), waited out.
left=$((86400 - $(date +%s) % 86400))
[ $left -gt 60 ] || sleep $left
today=$(date -u +%Y-%m-%d) yesterday=$(date -u -d yesterday +%Y-%m-%d)
local=$(date -u -d '-4 hours' +%Y-%m-%dT%H:%M:%S)	# now + 4 h at UTC-8
cat >"$T/day.csv" <<L
plate,category,expires
7ABC123,stolen-vehicle,$today
7ABC123,wanted,$yesterday
5XYZ999,missing-person,$local-08:00
L
check "entries expiring today, yesterday, in four hours at UTC-8" \
	alpr-match -l "$T/day.csv" "$T/reads"
is "today's and the offset one hit, yesterday's does not" "$(hits)" \
"day 7ABC123 stolen-vehicle
day 5XYZ999 missing-person"
like "counted as expired" "$(cat "$T/err")" "day.csv: 2 entries loaded, 0 rejected, 1 expired"

# A wildcard must leave enough of the plate: 2 letters or digits, 3 with
# a *.
cat >"$T/wild.csv" <<'L'
plate,category
AB*,crime-scene-partial
7??,crime-scene-partial
ABC*,crime-scene-partial
7A?,crime-scene-partial
L
check_status 1 "wildcards at the limits" alpr-match -l "$T/wild.csv" "$T/reads"
is "AB* and 7?? refused" "$(grep -v 'entries loaded' "$T/err")" \
"alpr-match: $T/wild.csv:2: wildcard plate 'AB*' would match too much
alpr-match: $T/wild.csv:3: wildcard plate '7??' would match too much"
like "ABC* and 7A? loaded" "$(cat "$T/err")" "wild.csv: 2 entries loaded, 2 rejected"

# A stale list warns; the configured maximum age counts.
cp "$T/d1.csv" "$T/old.csv"
touch -d '40 days ago' "$T/old.csv"
check "a list 40 days old still loads" alpr-match -l "$T/old.csv" "$T/reads"
like "with a warning" "$(cat "$T/err")" \
	"warning: $T/old.csv is 40 days old \\(max_age_days is 30\\): get a fresh list"
printf '# policy\nmax_age_days = 60\n' >"$T/conf"
check "max_age_days from -C" alpr-match -C "$T/conf" -l "$T/old.csv" "$T/reads"
is "no warning under 60 days" "$(grep -c warning "$T/err")" 0

# A folder of lists.
mkdir "$T/dir"
cp "$T/d1.csv" "$T/dir/a.csv"
cp "$T/d2.csv" "$T/dir/b.tsv"
echo "not a list" >"$T/dir/README"
check "a folder loads every list in it" alpr-match -l "$T/dir" "$T/reads"
is "both lists hit, in name order" "$(hits)" \
"a 7ABC123 stolen-vehicle
a 5XYZ999 wanted"
is "two lists loaded" "$(grep -c 'entries loaded' "$T/err")" 2
