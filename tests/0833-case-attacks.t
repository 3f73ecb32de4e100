#!/bin/sh
# Cases, attacked: the ways one person alone might still reach reads under
# a case, or make the case checks misbehave, each run and refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 37
mkstore || { echo "Bail out! no store"; exit 1; }

read1() {	# TIME PLATE
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":38.5,"lon":-121.4,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$(echo "$1" | tr -d ':-')" "$1" "$2"
}
{
	read1 "$(date -u +%Y-%m-%dT%H:00:00.00Z)" 7ABC123
	read1 "$(date -u +%Y-%m-%dT%H:00:01.00Z)" PARTNR1
} >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
R="the partner's car seen near the scene of the burglary"
search() {	# USER CASE PLATE
	as "$1" alpr-store find -P investigation -C "$2" -R "$R" "$3"
}

# a member who is a supervisor renews a case someone else closed
check "lt.ruiz closes 26-0117" \
	as lt.ruiz alpr-store case close 26-0117 -R "suspects charged, nothing more to look for"
check "sgt.moreno (a member) renews it alone" \
	as sgt.moreno alpr-store case renew 26-0117 -R "my own reasons for looking again now"
check_status 1 "... and then searches nothing under it alone" search sgt.moreno 26-0117 PARTNR1
is "... nothing is shown" "$(cat "$T/out")" ""
like "... saying why: the renewal named the members anew" "$(cat "$T/err")" \
	"sgt.moreno was named on case 26-0117 by sgt.moreno, from OS user sgt.moreno: nobody names themselves"
check "... the other members, named by the renewer, search" search jdoe 26-0117 PARTNR1
like "... the renewal is logged with the members it names" \
	"$(entries case | grep '"op":"renew"' | tail -1)" \
	'"user":"sgt.moreno".*"target":"26-0117".*"was":"closed".*"members":\["sgt.moreno","jdoe","pat.ops"\]'
check "a renewal of an open case by a member (to keep it open)" \
	as sgt.moreno alpr-store case renew 26-0117 -R "my own reasons for looking again now"
check_status 1 "... gives that member no search either" search sgt.moreno 26-0117 PARTNR1
check "another supervisor renews it" \
	as lt.ruiz alpr-store case renew 26-0117 -R "the burglary team keeps working it"
check "... and the member searches again" search sgt.moreno 26-0117 PARTNR1

# a second account of the renewer's own: lt.ruiz names moreno.a, which
# sgt.moreno's OS user logs in to; lt.ruiz closes the case and sgt.moreno
# renews it
pwfile moreno.a.first 'Second-Account-Pass-7'
pwfile moreno.a 'Second-Account-Pass-7-own'
as admin alpr-store user add moreno.a -r analyst \
    --password-file "$T/moreno.a.first.pw" >/dev/null 2>&1
as lt.ruiz alpr-store user approve moreno.a >/dev/null 2>&1
as lt.ruiz alpr-store user train moreno.a -c "$(daysago 30)" >/dev/null 2>&1
check "lt.ruiz opens a case naming moreno.a" \
	as lt.ruiz alpr-store case open -A 26-0800 -R "$R" moreno.a
as lt.ruiz alpr-store case close 26-0800 -R "suspects charged, nothing more to look for" >/dev/null 2>&1
check "sgt.moreno renews it" \
	as sgt.moreno alpr-store case renew 26-0800 -R "my own reasons for looking again now"
altlogin sgt.moreno moreno.a
is "(sgt.moreno's OS user is logged in as moreno.a)" \
	"$(as sgt.moreno alpr-store whoami 2>/dev/null)" "moreno.a analyst sgt.moreno"
check_status 1 "... and moreno.a, from sgt.moreno's OS user, searches nothing under it" \
	search sgt.moreno 26-0800 PARTNR1
like "... saying why" "$(cat "$T/err")" \
	"moreno.a was named on case 26-0800 by sgt.moreno, from OS user sgt.moreno"
loginas sgt.moreno "now + 30 seconds" >/dev/null 2>&1

# a store from before cases, its first case opened while a purge that
# opened the store before waits to change keys
read1 "$(daysago 380)T10:00:00.00Z" OLDCAR1 >"$T/old.ndjson"
retention 400
alpr-store add -D car1 "$T/old.ndjson" >/dev/null 2>&1
retention 365
store-poke -H "$H" no-cases
k0=$(cksum <"$K")
flock "$H/push.lock" sleep 4 &
sleep 1
alpr-purge -w 30 >"$T/purge.out" 2>"$T/purge.err" &
pp=$!
sleep 1
check "the first case is opened on the old store while the purge waits" \
	as lt.ruiz alpr-store case open -A 26-0900 -R "$R" jdoe
wait $pp
st=$?
ok "$([ "$st" = 0 ] && [ "$(cksum <"$K")" != "$k0" ]; echo $?)" "... the purge ran, and changed the key file's key"
check "... and the case still opens to searches after the key change" \
	search jdoe 26-0900 PARTNR1
check "... and a purge after it changes keys again" alpr-purge

# case numbers at and past the 64 bytes a record's name may have
C64=26-$(printf '%061d' 1)
check "a case number of 64 characters is opened" \
	as lt.ruiz alpr-store case open -A "$C64" -R "$R" jdoe
check "... searched under" search jdoe "$C64" PARTNR1
like "... and shown" "$(as jdoe alpr-store case show "$C64" 2>&1)" "^$C64 +open "
check_status 1 "one of 65 is refused, said" \
	as lt.ruiz alpr-store case open -A "${C64}9" -R "$R" jdoe
like "... as not a case number" "$(cat "$T/err")" "is not a case number"
check_status 1 "... and a search under it, said the same" search jdoe "${C64}9" PARTNR1
like "... as not a case number" "$(cat "$T/err")" "is not a case number"
check "the purge changes keys with the long case" alpr-purge
check "... which still opens" search jdoe "$C64" PARTNR1

# two supervisors open one case at once: one opens it, the other is refused
as lt.ruiz alpr-store case open -A 26-1000 -R "$R" jdoe >"$T/o1" 2>&1 &
p1=$!
as sgt.moreno alpr-store case open -A 26-1000 -R "$R" pat.ops >"$T/o2" 2>&1 &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
is "two opens of one case at once: one made, one refused" "$(echo $s1 $s2 | tr ' ' '\n' | sort | tr '\n' ' ')" "0 1 "
is "... each logged" "$(entries case | grep '"target":"26-1000"' | grep -c '"op":"open"\|"outcome":"denied"')" 2
is "... the case names the members of the one made" \
	"$(as audit.kim alpr-store case show 26-1000 2>/dev/null | awk '{print $NF}')" \
	"$([ $s1 = 0 ] && echo jdoe || echo pat.ops)"

# hold add --id, show and an export of a case's holds, by a supervisor
# the case does not name
id=$(grep -o '"read_id":"[^"]*"' "$T/out" | head -1 | cut -d'"' -f4)
check_status 1 "lt.ruiz holds no read by id under a case that does not name them" \
	as lt.ruiz alpr-store hold add -C 26-0900 -R "$R" --id "$id"
like "... saying why" "$(cat "$T/err")" "case 26-0900 does not name lt.ruiz"
check_status 1 "... nor shows it" \
	as lt.ruiz alpr-store show -P investigation -C 26-0900 -R "$R" "$id"
check_status 1 "... nor exports the case's holds" \
	as lt.ruiz alpr-export -C 26-0900 -R "$R" "$T/bundle"
ok "$([ ! -e "$T/bundle" ]; echo $?)" "... (no bundle)"
