#!/bin/sh
# What a case names, attacked further: a member of a case opened for one
# plate who would reach a partner's reads alone, by a search or a read's
# id standing between its check of the members and its check of what
# the case names while the member widens the case, by a second account,
# by terms that look like the ones named, or by a place named. Each is
# run and must be refused, nothing shown, and the refusal logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 37
mkstore || { echo "Bail out! no store"; exit 1; }

now=$(date -u +%Y-%m-%dT%H)
read1() {	# SECOND PLATE LAT LON
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":%s,"lon":%s,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$(echo "$now:00:$1.00Z" | tr -d ':-')" "$now:00:$1.00Z" "$3" "$4" \
	    "$2"
}
rid() {		# SECOND: the read id of read1's read
	echo "$(echo "$now:00:$1.00Z" | tr -d ':-')-0123456789ab-cam1/1,2"
}
{
	read1 01 7ABC123 38.5000 -121.4000		# the stolen car, at the scene
	read1 02 PARTNR1 38.6000 -121.6000		# a partner's, 20 km off
	read1 03 8XYZ402 38.7000 -121.7000		# a witness's 8XY...
} >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
R="silver sedan reported stolen from the Main St lot"
search() {	# USER CASE ARGS...
	_u=$1 _c=$2; shift 2
	as "$_u" alpr-store find -P investigation -C "$_c" -R "$R" "$@"
}
denied() {	# the last refusal in the log
	grep '"outcome":"denied"' "$H/log/log.ndjson" | tail -1
}
# lt.ruiz opens CASE for the stolen car, naming sgt.moreno and jdoe
opencar() {
	as lt.ruiz alpr-store case open -p 7ABC123 "$1" -R "$R" sgt.moreno jdoe
}
# widened CASE: the line of the log's entry of sgt.moreno's widening of
# CASE comes before that of the last refusal (the widening landed while
# the command raced stood between its checks)
widened() {
	_w=$(grep -n '"op":"widen"' "$H/log/log.ndjson" | grep "\"target\":\"$1\"" |
	    tail -1 | cut -d: -f1)
	_d=$(grep -n '"outcome":"denied"' "$H/log/log.ndjson" | tail -1 | cut -d: -f1)
	[ -n "$_w" ] && [ -n "$_d" ] && [ "$_w" -lt "$_d" ]
}
# race CASE CMD...: CMD, stalled (die.so) once it has read CASE's record
# for its check of the members, while sgt.moreno, a member, widens CASE
# to the partner's plate; CMD's status
race() {
	_c=$1; shift
	LD_PRELOAD=$top/tests/preload/die.so \
	    ALPR_TEST_STALL='json_loadb:"opened_by":3' \
	    ASAN_OPTIONS=verify_asan_link_order=0 "$@" >"$T/out" 2>"$T/err" &
	_p=$!
	sleep 1
	as sgt.moreno alpr-store case widen "$_c" -p PARTNR1 -R "$R" \
	    >/dev/null 2>"$T/werr" || cat "$T/werr" >&2
	wait $_p
}

# a search that stands between its check of the members and its check of
# what the case names while its member widens the case: the members are
# judged on the record whose scope is judged, which names the one
# searching anew
check "a case for the stolen car" opencar 26-3000
race 26-3000 search sgt.moreno 26-3000 PARTNR1
is "a member's search of the partner's plate, raced with their own widening, is refused" $? 1
is "... nothing is shown" "$(cat "$T/out")" ""
like "... saying why" "$(cat "$T/err")" \
	'sgt.moreno was named on case 26-3000 by sgt.moreno, from OS user sgt.moreno: nobody names themselves'
like "... logged with the plate" "$(denied)" \
	'"user":"sgt.moreno".*"action":"search".*"data":\{"plate":"PARTNR1"\},"outcome":"denied"'
ok $(widened 26-3000; echo $?) "... (the widening landed while the search stood between its checks)"
check "... while jdoe, named by the one widening, finds it" search jdoe 26-3000 PARTNR1

# the same race, by the read's id: show, and hold add --id
check "another case for the stolen car" opencar 26-3001
race 26-3001 as sgt.moreno alpr-store show -P investigation -C 26-3001 -R "$R" "$(rid 02)"
is "show of the partner's read by its id, raced with a widening, is refused" $? 1
is "... nothing is shown" "$(cat "$T/out")" ""
like "... logged" "$(denied)" \
	'"user":"sgt.moreno".*"action":"show".*"outcome":"denied","refusal":"sgt.moreno was named on case 26-3001 by sgt.moreno'
ok $(widened 26-3001; echo $?) "... (the widening landed while the show stood between its checks)"
check "a third case for the stolen car" opencar 26-3002
race 26-3002 as sgt.moreno alpr-store hold add -C 26-3002 -R "$R" --id "$(rid 02)"
is "a hold of the partner's read by its id, raced with a widening, is refused" $? 1
is "... and no hold is made" \
	"$(as sgt.moreno alpr-store hold list 2>/dev/null | grep -c 26-3002)" 0
ok $(widened 26-3002; echo $?) "... (the widening landed while the hold stood between its checks)"
check "a fourth case for the stolen car" opencar 26-3003
race 26-3003 as sgt.moreno alpr-export -P investigation -C 26-3003 -R "$R" PARTNR1 "$T/bundle"
is "an export of the partner's plate, raced with a widening, is refused" $? 1
ok $([ ! -e "$T/bundle" ]; echo $?) "... and no bundle is made"
ok $(widened 26-3003; echo $?) "... (the widening landed while the export stood between its checks)"

# a second account of the one who widens, from their OS user
pwfile moreno.a.first 'Second-Account-Pass-7'
pwfile moreno.a 'Second-Account-Pass-7-own'
as admin alpr-store user add moreno.a -r analyst \
    --password-file "$T/moreno.a.first.pw" >/dev/null 2>&1
as lt.ruiz alpr-store user approve moreno.a >/dev/null 2>&1
as lt.ruiz alpr-store user train moreno.a -c "$(daysago 30)" >/dev/null 2>&1
check "lt.ruiz opens a case for the stolen car naming moreno.a" \
	as lt.ruiz alpr-store case open -p 7ABC123 26-3100 -R "$R" moreno.a jdoe
check "sgt.moreno (no member) widens it to the partner's plate" \
	as sgt.moreno alpr-store case widen 26-3100 -p PARTNR1 -R "$R"
altlogin sgt.moreno moreno.a
check_status 1 "... and moreno.a, from sgt.moreno's OS user, searches nothing under it" \
	search sgt.moreno 26-3100 PARTNR1
like "... saying why" "$(cat "$T/err")" \
	'moreno.a was named on case 26-3100 by sgt.moreno, from OS user sgt.moreno'
check "... while jdoe finds it" search jdoe 26-3100 PARTNR1

# terms that look like the ones named
check "a case for the car, a witness's partial plate and the scene" \
	as lt.ruiz alpr-store case open -p 7ABC123 -p '8XY*' \
	-a 38.5,-121.4,500 26-3200 -R "$R" jdoe
check "the pattern named, in lower case, is the pattern named" \
	search jdoe 26-3200 '8xy*'
for p in '8XY**' '8XY?*' '8X*Y*' ' 7ABC123' '7ABC123 ' '7ABC1234'; do
	check_status 1 "'$p' is not what the case names" search jdoe 26-3200 "$p"
done
check_status 1 "the partner's plate within the scene finds nothing of theirs" \
	search jdoe 26-3200 PARTNR1 --near 38.5,-121.4 --radius 500
is "... nothing is shown" "$(cat "$T/out")" ""

# a fuzzy search of a plate too long to be named: refused, saying so,
# without reading the plate's copy that was never made (under valgrind,
# when there is one, and the programs are not built with AddressSanitizer,
# which valgrind cannot run: scripts/check-sanitize sets ASAN_OPTIONS)
vg=
[ -z "${ASAN_OPTIONS-}" ] && command -v valgrind >/dev/null &&
	vg="valgrind -q --error-exitcode=9"
check_status 1 "a fuzzy search of a plate longer than any is refused" \
	as jdoe $vg alpr-store find -f2 -P investigation -C 26-3200 -R "$R" \
	"$(printf '%040d' 0)"
like "... as a plate the case does not name" "$(cat "$T/err")" \
	'does not name the plate searched fuzzily 0{40}:'
