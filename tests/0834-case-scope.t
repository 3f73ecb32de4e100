#!/bin/sh
# A case names what its members search: plates, patterns, places, or on
# purpose every read. The attack of a member who would look up a partner's
# car under a case opened for another (by plate, by a wider pattern, by a
# fuzzy search, by a wider circle, by a hotlist, by the read's id for a
# show or a hold, by widening the case themselves) is each run and must be
# refused, nothing shown, and the refusal logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 70
mkstore || { echo "Bail out! no store"; exit 1; }

now=$(date -u +%Y-%m-%dT%H)
read1() {	# SECOND PLATE LAT LON [CANDIDATE]
	_cand=
	[ -z "${5-}" ] || _cand=',"candidates":[{"plate":"'$5'","conf":40}]'
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":%s,"lon":%s,"plate":"%s","conf":90,"box":[1,2,3,4]%s}\n' \
	    "$(echo "$now:00:$1.00Z" | tr -d ':-')" "$now:00:$1.00Z" "$3" "$4" \
	    "$2" "$_cand"
}
rid() {		# SECOND: the read id of read1's read
	echo "$(echo "$now:00:$1.00Z" | tr -d ':-')-0123456789ab-cam1/1,2"
}
{
	read1 01 7ABC123 38.5000 -121.4000		# the stolen car, at the scene
	read1 02 PARTNR1 38.6000 -121.6000		# a partner's, 20 km off
	read1 03 8XYZ402 38.7000 -121.7000		# a witness's 8XY...
	read1 04 7ABC128 38.9000 -121.9000 7ABC123	# read as another
	read1 05 NEARBY1 38.5010 -121.4000		# 110 m from the scene
} >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
R="silver sedan reported stolen from the Main St lot"
search() {	# USER CASE ARGS...
	_u=$1 _c=$2; shift 2
	as "$_u" alpr-store find -e -P investigation -C "$_c" -R "$R" "$@"
}
denied() {	# the last refusal in the log
	grep '"outcome":"denied"' "$H/log/log.ndjson" | tail -1
}
entries0=$(wc -l <"$H/log/log.ndjson")

# opening: a case names what it searches
check_status 1 "a case that names nothing it searches is not opened" \
	as lt.ruiz alpr-store case open 26-2000 -R "$R" jdoe
for p in '*' '7*' '7A*' '??????'; do
	check_status 1 "nor one naming the pattern $p (under three characters)" \
		as lt.ruiz alpr-store case open -p "$p" 26-2000 -R "$R" jdoe
done
like "... saying a pattern gives three characters" "$(cat "$T/err")" \
	"[?]{6}: a pattern a case names gives at least three characters"
for p in '*A*B*C*' '?1?2?3?'; do
	check_status 1 "nor one naming the pattern $p (none side by side or at an end)" \
		as lt.ruiz alpr-store case open -p "$p" 26-2000 -R "$R" jdoe
done
like "... saying two are side by side or one at an end, as a search's" "$(cat "$T/err")" \
	"two of them side by side or one at either end, as a search's does"
check_status 1 "nor one naming an empty plate" \
	as lt.ruiz alpr-store case open -p '' 26-2000 -R "$R" jdoe
check_status 1 "nor one with a place wider than max_radius_m" \
	as lt.ruiz alpr-store case open -a 38.5,-121.4,900000 26-2000 -R "$R" jdoe
check_status 1 "nor one with a place that is no number" \
	as lt.ruiz alpr-store case open -a nan,-121.4,500 26-2000 -R "$R" jdoe
check "a case for a car and a witness's partial plate and the scene" \
	as lt.ruiz alpr-store case open -p 7abc123 -p '8XY*' \
	-a 38.5,-121.4,500 26-2000 -R "$R" jdoe sgt.moreno
like "... logged with what it searches" "$(grep '"target":"26-2000"' "$H/log/log.ndjson" | tail -1)" \
	'"op":"open".*"plates":\["7ABC123","8XY\*"\],"areas":\[\{"lat":38.5,"lon":-121.4[0-9]*,"radius_m":500'
like "... and listed with it" "$(as jdoe alpr-store case show 26-2000)" \
	'^26-2000 .* 7ABC123,8XY\*,@38\.50000,-121\.40000,500m jdoe,sgt\.moreno$'

# what the case names is found
check "the car the case names is found" search jdoe 26-2000 7ABC123
like "... with the read that has it as a candidate" "$(cat "$T/out")" '"plate":"7ABC128"'
check "a plate the pattern named matches is found" search jdoe 26-2000 8XYZ402
check "the pattern as named is searched" search jdoe 26-2000 '8XY*'
check "a fuzzy search of the plate named, one difference" search jdoe 26-2000 -f1 7ABC123
check "a place inside the scene's circle is searched" \
	search jdoe 26-2000 --near 38.5005,-121.4 --radius 300
like "... and finds what passed there" "$(cat "$T/out")" '"plate":"NEARBY1"'

# the attacks: the partner's car under the stolen car's case
check_status 1 "the partner's plate under a case that does not name it is refused" \
	search jdoe 26-2000 PARTNR1
is "... nothing is shown" "$(cat "$T/out")" ""
like "... saying what the case names and who widens it" "$(cat "$T/err")" \
	'case 26-2000 does not name the plate PARTNR1: a supervisor'
like "... logged with the plate and why" "$(denied)" \
	'"user":"jdoe".*"data":\{"plate":"PARTNR1"\},"outcome":"denied","refusal":"case 26-2000 does not name'
check_status 1 "a pattern wider than the one named is refused" \
	search jdoe 26-2000 '8X*'
check_status 1 "a pattern of the partner's plate is refused" \
	search jdoe 26-2000 'PART*'
check_status 1 "a fuzzy search of a plate only a pattern named is refused" \
	search jdoe 26-2000 -f1 8XYZ402
check_status 1 "a fuzzy search of the plate named with two differences is refused" \
	search jdoe 26-2000 -f2 7ABC123
like "... saying one is allowed" "$(cat "$T/err")" 'allows one difference'
check_status 1 "a circle around the partner's street is refused" \
	search jdoe 26-2000 --near 38.6,-121.6 --radius 100
check_status 1 "a circle wider than the scene's is refused" \
	search jdoe 26-2000 --near 38.5,-121.4 --radius 600
is "... nothing is shown" "$(cat "$T/out")" ""
printf 'plate,state,category,reason,expires\nPARTNR1,CA,stolen-vehicle,bolo,2099-12-31\n' >"$T/bolo.csv"
check_status 1 "a hotlist naming the partner's plate is refused" \
	search jdoe 26-2000 --hotlist "$T/bolo.csv"
like "... saying a hotlist wants a case open to every read" "$(cat "$T/err")" 'every read'
check_status 1 "show of the partner's read by its id is refused" \
	as jdoe alpr-store show -P investigation -C 26-2000 -R "$R" "$(rid 02)"
is "... nothing is shown" "$(cat "$T/out")" ""
like "... logged" "$(denied)" '"action":"show".*"outcome":"denied","refusal":"case 26-2000 names neither'
check "show of a read the case names is answered" \
	as jdoe alpr-store show -P investigation -C 26-2000 -R "$R" "$(rid 04)"
check_status 1 "a hold of the partner's read by its id is refused" \
	as sgt.moreno alpr-store hold add -C 26-2000 -R "$R" --id "$(rid 02)"
is "... and no hold is made" "$(as sgt.moreno alpr-store hold list 2>/dev/null | grep -c 26-2000)" 0

printf 'CA Sacramento County Sheriff'"'"'s Office\n' >"$H/agencies"
sed -i 's/^release_agencies = .*/release_agencies = agencies/' "$H/alpr.conf"
request() {	# USER ARGS...: a request for reads by id
	_u=$1; shift
	as "$_u" alpr-export request --agency "Sacramento County Sheriff's Office" \
	    --agency-state CA --requester "Det. Ruiz" \
	    --purpose "the stolen sedan seen in their county last week" "$@"
}
check_status 1 "a release request for the partner's read by id under the case is refused" \
	request sgt.moreno -C 26-2000 --id "$(rid 02)"
like "... saying the case does not name it" "$(cat "$T/err")" 'case 26-2000 names neither'
check "a release request for a read the case names is filed" \
	request sgt.moreno -C 26-2000 --id "$(rid 04)"

# widening: a member who widens searches nothing under the case alone
check "a supervisor on the case widens it to the partner's plate" \
	as sgt.moreno alpr-store case widen 26-2000 -p PARTNR1 -R "$R"
like "... logged with the plate and every member named anew" \
	"$(grep '"target":"26-2000"' "$H/log/log.ndjson" | tail -1)" \
	'"user":"sgt.moreno".*"op":"widen","plates":\["PARTNR1"\],"members":\["jdoe","sgt.moreno"\]'
check_status 1 "... and then searches nothing under it (named by themselves)" \
	search sgt.moreno 26-2000 PARTNR1
like "... saying why" "$(cat "$T/err")" 'nobody names themselves'
check "... while the other member, named by them, finds it (and the log names both)" \
	search jdoe 26-2000 PARTNR1
check "another supervisor names them again (case add)" \
	as lt.ruiz alpr-store case add 26-2000 -R "$R" sgt.moreno
check "... and they search under it again" search sgt.moreno 26-2000 PARTNR1
check_status 2 "-p, -a and -A are only for case open and widen" \
	as lt.ruiz alpr-store case add -p PARTNR1 26-2000 -R "$R" pat.ops
check "a case closed" as lt.ruiz alpr-store case close 26-2000 -R "$R"
check_status 1 "is not widened" \
	as lt.ruiz alpr-store case widen 26-2000 -A -R "$R"
rq=$(as sgt.moreno alpr-export requests 2>/dev/null | awk '$3 == "26-2000" { print $1; exit }')
check_status 1 "a request filed under it is not approved once it is closed" \
	as lt.ruiz alpr-export approve "$rq"
like "... saying the case was closed" "$(cat "$T/err")" 'case 26-2000 was closed'
check "... and is, once the case is open again" \
	sh -c "SUDO_USER=lt.ruiz SUDO_UID=$(id -u) alpr-store case renew 26-2000 -R '$R' &&
	SUDO_USER=lt.ruiz SUDO_UID=$(id -u) alpr-export approve $rq"
check "the case closed again" as lt.ruiz alpr-store case close 26-2000 -R "$R"
check_status 1 "an approved request under it is not released" \
	as lt.ruiz alpr-export --release "$rq" "$T/rel"
ok $([ ! -e "$T/rel" ]; echo $?) "... and nothing is made"

# a case record that names nothing (a store from before scopes) searches
# nothing
check "a case open to every read" \
	as lt.ruiz alpr-store case open -A 26-2100 -R "$R" jdoe
check "... finds the partner's car" search jdoe 26-2100 PARTNR1
store-poke -H "$H" -K "$ALPR_KEY_FILE" case 26-2100 scope '{}' 2>/dev/null
check_status 1 "its record without a scope searches nothing" \
	search jdoe 26-2100 7ABC123
like "... saying so" "$(cat "$T/err")" 'does not name the plate 7ABC123'

# the auditor sees what a case was widened to, and by whom
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
like "the audit report lists the widening with the plate" \
	"$(grep '"kind":"case-change"' "$T/report" | grep '"op":"widen"' | head -1)" \
	'"user":"sgt.moreno".*"change":\{"op":"widen","plates":\["PARTNR1"\]'
like "... and the search refused under the case with why" \
	"$(grep '"kind":"refused"' "$T/report" | grep PARTNR1 | head -1)" \
	'"user":"jdoe".*"case":"26-2000".*"refusal":"case 26-2000 does not name the plate PARTNR1'
like "... and as a case widened by one of its members" \
	"$(grep '"kind":"case-self-change"' "$T/report")" \
	'"user":"sgt\.moreno".*"op":"widen"'
is "... only that one" "$(grep -c '"kind":"case-self-change"' "$T/report")" 1
as audit.kim alpr-audit -d "$H/log" report >"$T/report.txt" 2>/dev/null
like "... and its table shows the widening and the plate" "$(cat "$T/report.txt")" \
	'sgt\.moreno +case widen +PARTNR1 +26-2000'
