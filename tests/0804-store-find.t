#!/bin/sh
# alpr-store find and show: each kind of search finds what it should and
# nothing else; a search without purpose, case or a real reason is
# refused and logged; the log entry goes first, and without it nothing is
# shown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 90

mkstore || { echo "Bail out! no store"; exit 1; }
read1() {	# ts camera lat lon plate [candidate...]
	_ts=$1 _cam=$2 _lat=$3 _lon=$4 _pl=$5; shift 5
	_id=$(echo "$_ts" | tr -d ':-')
	_c="{\"plate\":\"$_pl\",\"conf\":90}"
	for _x do _c="$_c,{\"plate\":\"$_x\",\"conf\":50}"; done
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-%s","ts":"%s","camera":"%s","lat":%s,"lon":%s,"plate":"%s","conf":90,"box":[1,2,3,4],"candidates":[%s]}\n' \
	    "$_id" "$_cam" "$_ts" "$_cam" "$_lat" "$_lon" "$_pl" "$_c"
}
# the reads' days: a week from 40 days back, inside the retention whatever
# the day, and before the last five days that store-gen fills; D0 to D6
# as dates, C0 to C6 as a read's id writes them
d0=$(($(date +%s) / 86400 - 40))
for i in 0 1 2 3 4 5 6; do
	t=$(((d0 + i) * 86400))
	eval "D$i=$(date -u -d @$t +%Y-%m-%d) C$i=$(date -u -d @$t +%Y%m%d)"
done
{
	read1 ${D0}T10:00:00.00Z camA 38.58000 -121.49000 7ABC123 7A8C123
	read1 ${D1}T10:00:00.00Z camB 34.05000 -118.24000 7A8C12
	read1 ${D3}T10:00:00.00Z camA 38.58100 -121.49200 8XYZ402 8XY2402
	read1 ${D0}T11:00:00.00Z camC 38.90000 -121.10000 ABC1234
	read1 ${D4}T09:00:00.00Z camC 38.90000 -121.10000 6TRK915
	read1 ${D4}T09:30:00.00Z camC 38.90000 -121.10000 KDW44I7
	read1 ${D5}T09:30:00.00Z camC 38.90000 -121.10000 7BK491
	# a record as a person might write it: blanks, escapes
	printf '%s\n' '{"type": "read", "v": 1, "id": "'"$C6"'T100000.00Z-0123456789ab-camD", "ts": "'"$D6"'T10:00:00.00Z", "camera": "cam\u0044", "plate": "9ES\u0043123", "conf": 80, "box": [ 5, 6, 7, 8 ], "candidates": [ {"plate": "9ESC1Z3", "conf": 40} ] }'
	# a read whose 37th candidate is the plate searched; one that
	# brings a read_id of its own; one with bytes past ASCII
	c=; for i in $(seq 36); do c="$c{\"plate\":\"5JKL0M2\",\"conf\":9},"; done
	printf '{"type":"read","v":1,"id":"'"$C6"'T110000.00Z-0123456789ab-camE","ts":"'"$D6"'T11:00:00.00Z","camera":"camE","plate":"5JKL0M2","conf":80,"box":[5,6,7,8],"candidates":[%s{"plate":"5JKLOM2","conf":8}]}\n' "$c"
	printf '%s\n' '{"type":"read","v":1,"id":"'"$C6"'T120000.00Z-0123456789ab-camE","ts":"'"$D6"'T12:00:00.00Z","camera":"camE","plate":"6FRG001","conf":80,"box":[5,6,7,8],"read_id":"FORGED/9,9"}'
	printf '{"type":"read","v":1,"id":"'"$C6"'T130000.00Z-0123456789ab-camE","ts":"'"$D6"'T13:00:00.00Z","camera":"camE","plate":"6UTF002","conf":80,"box":[5,6,7,8],"note":"\342\200\256\302\233"}\n'
	store-gen -n 500 -d 5 -s 11
} >"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
plates() {	# the plates a search as jdoe finds, in order
	sfind jdoe "$@" 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{plate}, " "'
}

is "exact: the plate" "$(plates 7ABC123)" "7ABC123 "
is "exact: a read whose candidate is the plate" "$(plates 7A8C123)" "7ABC123 "
is "exact: as typed in lower case" "$(plates 7abc123)" "7ABC123 "
is "pattern: 7AB*" "$(plates '7AB*')" "7ABC123 "
is "pattern: *K4?1" "$(plates '*K4?1')" "7BK491 "
is "pattern: ?XYZ40?" "$(plates '?XYZ40?')" "8XYZ402 "
check_status 1 "a pattern too vague to serve is refused" sfind jdoe '7*'
like "... saying why" "$(cat "$T/err")" "pattern too vague"
check_status 1 "as is one of three characters none side by side or at an end" sfind jdoe '*A*B*C*'
check "one of three, two side by side, serves" sfind jdoe '*AB*C*'
is "fuzzy: confusions and one difference" "$(plates -f 7ABC12)" "7ABC123 7A8C12 "
is "fuzzy: confusions only with -f0" "$(plates -f0 7ABC12)" "7A8C12 "
is "fuzzy: a character replaced" "$(plates -f 7ABX123)" "7ABC123 "
is "fuzzy: a character taken out" "$(plates -f 7ABCC123)" "7ABC123 "
is "fuzzy: the difference at either end" "$(plates -f XABC123) $(plates -f 7ABC12X)" "7ABC123  7ABC123 7A8C12 "
is "fuzzy with two differences" "$(plates -f2 8XYZ4)" "8XYZ402 "
is "a time range narrows" "$(plates -f --from "$D1" --to "$D2" 7ABC123)" "7A8C12 "
is "... --to is the end of its day" "$(plates -f --to "$D0" 7ABC123)" "7ABC123 "
is "a camera narrows" "$(plates -f --camera camB 7ABC123)" "7A8C12 "
is "near a place" "$(plates --near 38.58,-121.49 --radius 500)" "7ABC123 8XYZ402 "
is "... a smaller circle" "$(plates --near 38.58,-121.49 --radius 50)" "7ABC123 "
is "near a place and a plate" "$(plates --near 38.58,-121.49 --radius 500 8XYZ402)" "8XYZ402 "
like "a read near a place carries its distance" "$(sfind jdoe --near 38.58,-121.49 --radius 500 8XYZ402)" '"distance_m":2[0-9][0-9]'
check_status 1 "a circle wider than max_radius_m is refused" sfind jdoe --near 38.58,-121.49 --radius 60000
check_status 1 "time and camera alone do not make a search" sfind jdoe --camera camA
like "... saying what a search needs" "$(cat "$T/err")" "a plate, a pattern, a hotlist or a place"

# hotlists, under alpr-match's rules
cat >"$T/hot.csv" <<'CSV'
plate,state,category,reason,expires
8XYZ402,CA,stolen-vehicle,grey sedan,2099-12-31
6TRK9*,CA,crime-scene-partial,witness,2099-12-31
KDW4417,NV,wanted,warrant,2099-12-31
ABC1234,CA,stolen-vehicle,old,2020-01-01
CSV
is "a hotlist: exact, wildcard and lenient entries, not the expired one" \
	"$(plates --hotlist "$T/hot.csv")" "8XYZ402 6TRK915 KDW44I7 "
is "-e: exactly" "$(plates -e --hotlist "$T/hot.csv")" "8XYZ402 6TRK915 "
like "each read carries the hits" "$(sfind jdoe --hotlist "$T/hot.csv" 2>/dev/null | tail -1)" '"hotlist_hits":\[\{"list":"hot".*"entry":"KDW4417".*"match":"lenient"'
printf 'plate,category\n7ABC123,immigration\n' >"$T/ice.csv"
check_status 1 "a hotlist of a forbidden category is refused" sfind jdoe --hotlist "$T/ice.csv"

# the output formats
sfind jdoe -t 7ABC123 >"$T/table" 2>/dev/null
like "-t: an aligned table" "$(head -1 "$T/table")" '^time +camera +plate +conf +lat +lon +hits +read_id$'
like "... a row a read" "$(sed -n 2p "$T/table")" '^'"$D0"'T10:00:00.00Z camA +7ABC123 +90.0 +38.580000 -121.490000 - +'"$C0"'T100000.00Z-0123456789ab-camA/1,2$'
sfind jdoe -c --near 38.58,-121.49 --radius 500 >"$T/csv" 2>/dev/null
is "-c: CSV with a header" "$(cat "$T/csv" | cut -d, -f1-6)" "time,camera,plate,conf,lat,lon
${D0}T10:00:00.00Z,camA,7ABC123,90.0,38.580000,-121.490000
${D3}T10:00:00.00Z,camA,8XYZ402,90.0,38.581000,-121.492000"

# a search by plate judges and prints the reads from their text; what it
# finds and prints is what the parsed reads of other searches show
is "a read with blanks and escapes: found by its plate" "$(plates 9ESC123)" "9ESC123 "
is "... by its candidate" "$(plates 9ESC1Z3)" "9ESC123 "
is "... by a pattern" "$(plates '9ES*')" "9ESC123 "
is "... its escaped camera narrows" "$(plates -f --camera camD 9ESC123)" "9ESC123 "
is "... its read_id" "$(sfind jdoe 9ESC123 | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')" \
	"${C6}T100000.00Z-0123456789ab-camD/5,6"
same() {	# FILE FILE: the same reads, but for what the second search adds
	perl -MJSON::PP -e '
		my @r = map { open my $f, "<", $_ or die; [ map {
			my $x = decode_json($_); delete @$x{qw(distance_m hotlist_hits)};
			JSON::PP->new->canonical->encode($x) } <$f> ] } @ARGV;
		exit !(@{$r[0]} && "@{$r[0]}" eq "@{$r[1]}")' "$@"
}
is "... its 37th candidate" "$(plates 5JKLOM2)" "5JKL0M2 "
sfind jdoe 6FRG001 >"$T/out" 2>/dev/null
is "a read_id a read brought is not the store's" \
	"$(perl -MJSON::PP -ne 'print scalar(() = /"read_id"/g), " ", decode_json($_)->{read_id}' "$T/out")" \
	"1 ${C6}T120000.00Z-0123456789ab-camE/5,6"
sfind jdoe 6UTF002 >"$T/out" 2>/dev/null
ok $(grep -q '"plate":"6UTF002"' "$T/out" && ! LC_ALL=C grep -q '[^ -~]' "$T/out"; echo $?) \
	"a read is written in ASCII, other characters escaped"
check_status 2 "a date that does not exist is refused" sfind jdoe --from 2026-02-30T23:59:60Z 7ABC123
sfind jdoe 7ABC123 >"$T/text" 2>/dev/null
sfind jdoe --near 38.58,-121.49 --radius 500 7ABC123 >"$T/tree" 2>/dev/null
ok $(same "$T/text" "$T/tree"; echo $?) "a read printed from its text is the read parsed"
printf 'plate,category\n9ESC123,stolen-vehicle\n' >"$T/esc.csv"
sfind jdoe 9ESC123 >"$T/text" 2>/dev/null
sfind jdoe --hotlist "$T/esc.csv" >"$T/tree" 2>/dev/null
ok $(same "$T/text" "$T/tree"; echo $?) "... one written with blanks and escapes too"

( sfind jdoe 7ABC123 >/dev/full 2>"$T/err"; echo $? >"$T/st" )
is "reads that cannot be written out: exit 3" "$(cat "$T/st")" 3

# purpose, case, reason
J0='silver sedan seen leaving the burglary on Main St'
try() {	# expect-status description alpr-store find args...
	_w=$1 _d=$2; shift 2
	check_status "$_w" "$_d" as jdoe alpr-store find "$@"
}
try 1 "no purpose: refused" -C 26-0117 -R "$J0" 7ABC123
like "... naming the purposes" "$(cat "$T/err")" "give --purpose, one of: investigation missing-person"
try 1 "a purpose not the agency's: refused" -P curiosity -C 26-0117 -R "$J0" 7ABC123
try 1 "no case: refused" -P investigation -R "$J0" 7ABC123
try 1 "a case number without a digit: refused" -P investigation -C none -R "$J0" 7ABC123
try 1 "a case number with a space and a quote: refused" -P investigation -C "26 0117'" -R "$J0" 7ABC123
like "... saying what a case number holds" "$(cat "$T/err")" "case number: want letters, digits and - _ . / : #"
try 1 "no reason: refused" -P investigation -C 26-0117 7ABC123
try 1 "\"investigation\": refused" -P investigation -C 26-0117 -R investigation 7ABC123
try 1 "boilerplate at length: refused" -P investigation -C 26-0117 -R "official business for the investigation case" 7ABC123
try 1 "one word repeated: refused" -P investigation -C 26-0117 -R "burglary burglary burglary burglary" 7ABC123
try 1 "two words, however long: refused" -P investigation -C 26-0117 -R "burglary suspect, burglary suspect" 7ABC123
try 1 "two words and \"investigation\": refused" -P investigation -C 26-0117 -R "investigation of the burglary suspect" 7ABC123
long=$(for i in $(seq 100); do printf '%s ' "$J0"; done)
try 1 "a reason over 4096 bytes: refused" -P investigation -C 26-0117 -R "$long" 7ABC123
like "... saying how long it may be" "$(cat "$T/err")" "reason of 5000 bytes: say it in at most 4096"
accents=$(perl -CO -e 'print "\x{e9}" x 1000')
try 1 "a reason of 2,050 bytes that the log writes in 6,050: refused" -P investigation -C 26-0117 -R "$J0 $accents" 7ABC123
like "... counted as the log writes it" "$(cat "$T/err")" "reason of 6050 bytes: say it in at most 4096"
# the largest hotlist with the longest reason, and a long name, fit in
# one entry: refused before, or logged, never failing in between
big="$T/$(perl -CO -e 'print "\x{e9}" x 120').csv"
{ echo plate,state,category,reason,expires
  perl -e 'for (0 .. 20000) { printf "%07d,CA,stolen-vehicle,-,2099-12-31\n", 7000000 + $_ }'
} >"$T/huge.csv"
head -4901 "$T/huge.csv" >"$big"
accents=$(perl -CO -e 'print "\x{e9}" x 674')
try 0 "a hotlist of 4,900 plates, a reason of 4,094 bytes as logged: answered" \
	-P investigation -C 26-0117 -R "$J0 $accents" --hotlist "$big"
try 1 "a hotlist of 20,001 plates: refused, saying why" \
	-P investigation -C 26-0117 -R "$J0" --hotlist "$T/huge.csv"
like "... (one entry holds every plate searched)" "$(cat "$T/err")" "a search logs every plate it looks for"
try 0 "a reason in words of one's own: answered" -P investigation -C 26-0117 -R "$J0" 7ABC123
n=$(entries search | grep '"outcome":"denied"' | grep -c '"data":{')
is "every refused search is in the log, with its terms (19)" "$n" 19
last=$(entries search | tail -1)
like "the search's entry: user, role, organisation, OS user" "$last" '"user":"jdoe".*"org":"Test Police Department","role":"analyst".*"client":"jdoe"'
like "... the plate, terms, purpose, case, reason and count" "$last" \
	'"data":\{"plate":"7ABC123"\},"purpose":"investigation","case":"26-0117","reason":"silver sedan seen leaving the burglary on Main St","count":1,"outcome":"ok","plate":"7ABC123"'

# without the log, nothing
size=$(stat -c %s "$H/log/log.ndjson")
( ulimit -f $((size / 512)); trap '' XFSZ; sfind jdoe 7ABC123 >"$T/out" 2>"$T/err"; echo $? >"$T/st" )
is "a search whose log entry cannot be written exits 3" "$(cat "$T/st")" 3
is "... having shown nothing" "$(cat "$T/out")" ""
like "... and says why" "$(cat "$T/err")" "unable to write this access to the access log, so nothing is shown"

# ... and the agency's officials are told (syslog: authpriv, alert), not
# of the plate
( ulimit -f $((size / 512)); trap '' XFSZ; LD_PRELOAD=$top/tests/preload/die.so \
	ALPR_TEST_SYSLOG=$T/syslog sfind jdoe 7ABC123 >/dev/null 2>&1 )
is "a log that cannot be written raises one alert" "$(wc -l <"$T/syslog")" 1
is "... priority alert, facility authpriv" "$(cut -d' ' -f1 "$T/syslog")" $((10 << 3 | 1))
like "... naming the log and why" "$(cat "$T/syslog")" "access log $H/log: an entry's append failed: File too large"
ok $(! grep -q 7ABC123 "$T/syslog"; echo $?) "... and not the plate searched"
# syslogged CMD...: CMD with what it sends to syslog in $T/syslog alone
syslogged() {
	: >"$T/syslog"
	LD_PRELOAD=$top/tests/preload/die.so ALPR_TEST_SYSLOG=$T/syslog "$@" >/dev/null 2>&1
}
# without PATH: a search with PATH of the store's log moved away
without() { mv "$1" "$T/away"; syslogged sfind jdoe 7ABC123; mv "$T/away" "$1"; }
syslogged sfind jdoe 7ABC123
is "a log written raises none" "$(wc -c <"$T/syslog")" 0
without "$H/log/keys.ndjson"
like "a log that does not open raises one too" "$(cat "$T/syslog")" "access log $H/log: opening it failed"
without "$H/log"
like "a store whose log folder is gone raises one" "$(cat "$T/syslog")" \
	"access log $H/log: opening it failed: the store's log folder is gone"
without "$H/log/pubkey"
like "... and one whose log is not the one it was made with" "$(cat "$T/syslog")" \
	"access log $H/log: opening it failed: not the log this store was made with"
without "$H/log/config.json"
like "... and one whose log lost its settings" "$(cat "$T/syslog")" \
	"access log $H/log: opening it failed: its config.json is gone"
mkdir -p "$T/nostore/log"
syslogged alpr-store -H "$T/nostore" whoami; cat "$T/syslog" >"$T/all"
syslogged alpr-audit -d "$T/nostore/log" checkpoint; cat "$T/syslog" >>"$T/all"
syslogged alpr-audit -d "$T/nostore" checkpoint; cat "$T/all" >>"$T/syslog"
is "a folder that is no store or no log, named by mistake, raises none" "$(wc -c <"$T/syslog")" 0
: >"$T/syslog"
perl -e 'print "{\"type\":\"access\",\"v\":1,\"action\":\"note\",\"text\":\"", "x" x 70000, "\"}\n"' >"$T/long"
LD_PRELOAD=$top/tests/preload/die.so ALPR_TEST_SYSLOG=$T/syslog alpr-audit -d "$H/log" append "$T/long" >/dev/null 2>"$T/err"
like "an entry too long for the log is refused" "$(cat "$T/err")" "entry too long: not logged"
is "... as its writer's fault: no alert" "$(wc -c <"$T/syslog")" 0
check "... and the log verifies" alpr-audit -d "$H/log" verify

# show
rid=$(sfind jdoe 8XYZ402 | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
check "show: one read by its id" sshow jdoe "$rid"
like "... the read" "$(cat "$T/out")" '"plate":"8XYZ402"'
check_status 1 "show without a reason is refused" as jdoe alpr-store show -P investigation -C 26-0117 "$rid"
check_status 1 "show of a read that is not there" sshow jdoe 20261105T100000.00Z-0123456789ab-camZ/1,2
like "a show is logged as an access" "$(entries show | tail -2 | head -1)" "\"action\":\"show\",\"data\":\\{\"read_id\":\"$rid\",\"frame\":false\\}"
done_testing
