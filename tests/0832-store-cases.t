#!/bin/sh
# Cases: reads are reached only under a case a supervisor opened that
# names the one searching, named there by someone else. The attacks of
# one person alone (a case never opened, naming oneself, a second account
# of one's own, a case closed or run out, a record moved to another case
# number) are each run and must be refused, and logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 77
mkstore || { echo "Bail out! no store"; exit 1; }
retention 400

read1() {	# TIME PLATE
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":38.5,"lon":-121.4,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$(echo "$1" | tr -d ':-')" "$1" "$2"
}
{
	read1 "$(date -u +%Y-%m-%dT%H:00:00.00Z)" 7ABC123
	read1 "$(date -u +%Y-%m-%dT%H:00:01.00Z)" PARTNR1
	read1 "$(daysago 380)T10:00:00.00Z" OLDCAR1
} >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
R="the partner's car seen near the scene of the burglary"
search() {	# USER CASE PLATE
	as "$1" alpr-store find -P investigation -C "$2" -R "$R" "$3"
}
denied() {	# the last refusal in the log
	grep '"outcome":"denied"' "$H/log/log.ndjson" | tail -1
}

check "an analyst named on an open case finds a read under it" \
	search jdoe 26-0117 7ABC123
like "... (the read)" "$(cat "$T/out")" '"plate":"7ABC123"'

# a case nobody opened
check_status 1 "a search under a case no supervisor opened is refused" \
	search jdoe 26-0500 PARTNR1
is "... nothing is shown" "$(cat "$T/out")" ""
like "... saying how a case is opened" "$(cat "$T/err")" \
	"case 26-0500 is not open on this store: a supervisor opens it"
like "... and the refusal is logged with the case and the plate" "$(denied)" \
	'"user":"jdoe".*"action":"search","data":\{"plate":"PARTNR1"\},"outcome":"denied".*"case":"26-0500"'

# who may open one
check_status 1 "an analyst opens no case" \
	as jdoe alpr-store case open -A 26-0500 -R "$R" jdoe
check_status 1 "nor an operator" \
	as pat.ops alpr-store case open -A 26-0500 -R "$R" jdoe
like "... saying who may" "$(cat "$T/err")" "only a supervisor"
check_status 1 "nor an admin" as admin alpr-store case open -A 26-0500 -R "$R" jdoe
check_status 1 "a supervisor names nobody on a case without a reason" \
	as sgt.moreno alpr-store case open -A 26-0500 -R "investigation" jdoe
check_status 1 "... nor a case number without a digit" \
	as sgt.moreno alpr-store case open -A none -R "$R" jdoe
check_status 1 "... nor an account that does not search" \
	as sgt.moreno alpr-store case open -A 26-0500 -R "$R" audit.kim
like "... saying why" "$(cat "$T/err")" "audit.kim: the role auditor does not search"

# naming oneself
check_status 1 "a supervisor does not name themselves on a case" \
	as sgt.moreno alpr-store case open -A 26-0500 -R "$R" jdoe sgt.moreno
like "... saying so" "$(cat "$T/err")" "nobody names themselves on a case"
like "... the refusal logged with what was asked and why" "$(entries case | tail -1)" \
	'"user":"sgt.moreno".*"target":"26-0500","outcome":"denied","refusal":"nobody names themselves.*"change":\{"op":"open"\},"reason":"the partner'
check_status 1 "... and the case is not opened" \
	as sgt.moreno alpr-store case show 26-0500
check "a supervisor opens a case for an analyst" \
	as sgt.moreno alpr-store case open -A 26-0500 -R "$R" jdoe
like "... logged with its reason, members and end" "$(entries case | grep '"op":"open"' | tail -1)" \
	'"user":"sgt.moreno".*"target":"26-0500".*"reason":"the partner.*"op":"open","expires":"[0-9T:.Z-]+",.*"members":\["jdoe"\]'
check "... and the analyst searches under it" search jdoe 26-0500 PARTNR1
like "... (the read)" "$(cat "$T/out")" '"plate":"PARTNR1"'
check_status 1 "the supervisor who opened it does not search under it" \
	search sgt.moreno 26-0500 PARTNR1
like "... (not named)" "$(cat "$T/err")" "case 26-0500 does not name sgt.moreno"
check_status 1 "nor adds themselves to it" \
	as sgt.moreno alpr-store case add 26-0500 -R "$R" sgt.moreno

# a second account of one's own: lt.ruiz names an analyst account that
# lt.ruiz, the same OS user, logs in to
pwfile ruiz.a.first 'Second-Account-Pass-5'
pwfile ruiz.a 'Second-Account-Pass-5-own'
as admin alpr-store user add ruiz.a -r analyst \
    --password-file "$T/ruiz.a.first.pw" >/dev/null 2>&1
as sgt.moreno alpr-store user approve ruiz.a >/dev/null 2>&1
as sgt.moreno alpr-store user train ruiz.a -c "$(daysago 30)" >/dev/null 2>&1
check "lt.ruiz opens a case naming the second account" \
	as lt.ruiz alpr-store case open -A 26-0600 -R "$R" ruiz.a
altlogin lt.ruiz ruiz.a
is "(lt.ruiz's OS user is logged in as ruiz.a)" \
	"$(as lt.ruiz alpr-store whoami 2>/dev/null)" "ruiz.a analyst lt.ruiz"
check_status 1 "... the second account, from lt.ruiz's OS user, searches nothing under it" \
	search lt.ruiz 26-0600 PARTNR1
like "... saying why" "$(cat "$T/err")" \
	"ruiz.a was named on case 26-0600 by lt.ruiz, from OS user lt.ruiz: nobody names themselves"
loginas lt.ruiz "now + 30 seconds" >/dev/null 2>&1

# taken off, closed, run out
check "a supervisor takes the analyst off a case" \
	as lt.ruiz alpr-store case drop 26-0117 -R "moved to the fraud unit this week" jdoe
check_status 1 "... who then searches nothing under it" search jdoe 26-0117 7ABC123
check "... and puts them back" \
	as lt.ruiz alpr-store case add 26-0117 -R "back on the burglary team again" jdoe
check "... who searches again" search jdoe 26-0117 7ABC123
check "a supervisor closes a case" \
	as lt.ruiz alpr-store case close 26-0117 -R "suspects charged, nothing more to look for"
check_status 1 "... no search under it then" search jdoe 26-0117 7ABC123
like "... saying so" "$(cat "$T/err")" "case 26-0117 was closed"
check_status 1 "... nor a hold" as sgt.moreno alpr-store hold add -C 26-0117 \
	-R "the suspect's car for the trial next month" 7ABC123
check "renewed, it is open again" \
	as lt.ruiz alpr-store case renew 26-0117 -R "new lead: a second suspect's car"
check "... to searches" search jdoe 26-0117 7ABC123
store-poke -H "$H" -K "$K" case 26-0117 expires '"2026-01-01T00:00:00.00Z"'
check_status 1 "a case past its end answers no search" search jdoe 26-0117 7ABC123
like "... saying so" "$(cat "$T/err")" "case 26-0117 ran out at 2026-01-01"
like "... and is listed as run out" "$(as audit.kim alpr-store case show 26-0117)" '^26-0117 +ran-out '
check_status 1 "a renewal for longer than case_days is refused" \
	as lt.ruiz alpr-store case renew 26-0117 -d 400 -R "new lead: a second suspect's car"
check "a renewal within it reopens it" \
	as lt.ruiz alpr-store case renew 26-0117 -d 30 -R "new lead: a second suspect's car"
check "... to searches" search jdoe 26-0117 7ABC123

# a case record moved to another number does not open there
store-poke -H "$H" copy-case 26-0500 26-0700
check_status 3 "a case's sealed record copied under another number opens no search: the store is damaged" \
	search jdoe 26-0700 PARTNR1
like "... the record does not open" "$(cat "$T/err")" "case 26-0700 does not open with the key file's key"
like "... the refusal logged" "$(entries search | tail -1)" '"outcome":"denied","refusal":"the store could not be read[^"]*","purpose":"investigation","case":"26-0700"'
check_status 3 "... nor is it opened anew over what it said" \
	as lt.ruiz alpr-store case open -A 26-0700 jdoe -R "a new case under the same number"
check_status 3 "... and a list of the cases says it could not list them all" as audit.kim alpr-store case list
like "... listing the others" "$(cat "$T/out")" "^26-0117 "
printf 'CA Sacramento Police Department\n' >"$H/agencies"
sed -i 's/^release_agencies = .*/release_agencies = agencies/' "$H/alpr.conf"
check_status 3 "... a release request under it is the store's failure too, not a refusal" \
	as sgt.moreno alpr-export request --agency "Sacramento Police Department" \
	--agency-state CA --requester "Det. Ruiz" \
	--purpose "catalytic converter thefts across county lines" -C 26-0700
like "... saying the record does not open" "$(cat "$T/err")" "case 26-0700 does not open with the key file's key"
# nor is it lost, or the store's key lost, when the purge changes keys:
# the purge keeps the keys it has
retention 365
check_status 3 "a purge does not change keys while a record does not open" alpr-purge
like "... saying which" "$(cat "$T/err")" "the case 26-0700 does not open: not changing keys"
check "... and the store opens with the key file as it was" search jdoe 26-0117 7ABC123
store-poke -H "$H" drop-case 26-0700

# who sees which cases
is "an analyst lists the cases that name them" \
	"$(as jdoe alpr-store case list 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' ')" "26-0117 26-0500 "
is "an auditor lists every case" \
	"$(as audit.kim alpr-store case list 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' ')" "26-0117 26-0500 26-0600 "
like "... the listing is logged" "$(entries case | tail -1)" '"user":"audit.kim".*"op":"list"'
check_status 1 "an analyst is not shown a case that does not name them" as jdoe alpr-store case show 26-0600
is "... nothing of it printed" "$(cat "$T/out")" ""
like "... the asking logged as refused" "$(entries case | tail -1)" \
	'"user":"jdoe".*"target":"26-0600","outcome":"denied","refusal":"no such case, or not one of yours.*"op":"show"'
check_status 1 "a case asked for by a name that is not UTF-8 is none, said" \
	as audit.kim alpr-store case show "$(printf '26-\377')"
like "... and the asking logged, the name as it came" "$(entries case | tail -1)" \
	'"user":"audit.kim".*"target":"26-\\\\xff".*"op":"show"'
check_status 1 "a case asked for by a name longer than any case's is none, not a failure of the store" \
	as audit.kim alpr-store case show "26-$(printf '%0600d' 7)"

# the audit report lists the case changes and the refusals
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
is "the audit report lists each case change, made or refused" \
	"$(grep -c '"kind":"case-change"' "$T/report")" \
	"$(entries case | grep -vc '"op":"list"\|"op":"show"')"
like "... among them the analyst's attempt to open one" "$(grep '"kind":"case-change"' "$T/report")" \
	'"user":"jdoe".*"outcome":"denied".*"target":"26-0500"' 
like "... and each refused search, with why" \
	"$(grep '"kind":"refused"' "$T/report" | grep -c '"case":"26-0500".*"refusal":"case 26-0500 is not open')" '^1$'

# the purge changes the key file's key: the cases are sealed anew with it
check "the purge runs" alpr-purge
is "(the purge removed the old read)" "$(store-poke -H "$H" count | cut -d' ' -f2)" 2
check "after the key changed, the case still opens to searches" \
	search jdoe 26-0117 7ABC123

like "the usage and privacy policy says how cases are opened" \
	"$(alpr-store policy 2>/dev/null)" "a supervisor opened in the system, for at most 90 days"

# a case number that is no UTF-8 is refused, and the refusal logged as
# text (it was refused, and not logged: the entry could not be made)
n0=$(entries search | grep -c .)
check_status 1 "a search under a case number that is no UTF-8 is refused" \
	search jdoe "$(printf 'A\3771')" 7ABC123
like "... and the refusal is logged, the case as log text" "$(entries search | tail -1)" \
	'"outcome":"denied","refusal":"case .A\\\\xff1. is not a case number.*"case":"A\\\\xff1"'
is "... once" "$(entries search | grep -c .)" "$((n0 + 1))"
check_status 1 "a case opened under such a number is refused too" \
	as lt.ruiz alpr-store case open -A "$(printf '\3771')" -R "$R" jdoe
like "... and logged" "$(entries case | tail -1)" '"target":"\\\\xff1","outcome":"denied"'
