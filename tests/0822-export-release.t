#!/bin/sh
# Releases to other agencies (Civil Code 1798.90.55): a written request,
# decided by a supervisor other than the one who filed it, released once
# and only when approved, to California public agencies on the list of
# alpr.conf only; every refusal logged with its reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 94

mkstore || { echo "Bail out! no store"; exit 1; }
# a second supervisor, to decide what the first files, and a third
# account of sgt.moreno's own, reached from the same OS user
supervisor sgt.two Second-Sgt-Pass-77 sgt.moreno || { echo "Bail out! no second supervisor"; exit 1; }
supervisor sgt.alt Alt-Sgt-Pass-55 sgt.two || { echo "Bail out! no third supervisor"; exit 1; }
supervisor sgt.three Fourth-Sgt-Pass-88 sgt.two || { echo "Bail out! no fourth supervisor"; exit 1; }
as lt.ruiz alpr-store case add 26-0117 -R "the sergeants who handle its releases" sgt.two >/dev/null 2>&1
opencase 26-0999 sgt.moreno || { echo "Bail out! case 26-0999 not opened"; exit 1; }
cat >"$H/agencies" <<'EOF'
# the agencies data may go to: the state, then the name
CA Sacramento Police Department
CA Sacramento County Sheriff's Office
NV Reno Police Department
CA FBI Sacramento Field Office
CA Acme Vehicle Recovery LLC
Sacramento County Probation
EOF
sed -i 's/^release_agencies = .*/release_agencies = agencies/' "$H/alpr.conf"
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" \
	"$top/samples/frame2.jpg" "$top/samples/frame3.jpg" >"$T/frames.ndjson" 2>/dev/null
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402", "KDW4417");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [10, 20, 100, 50]; print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/reads.ndjson"
store-gen -n 20 -d 1 -s 9 >>"$T/reads.ndjson"
# a read of 390 days ago (inside a retention of 400 at any hour of the
# day), for a request by id that a purge to 365 days overtakes
old=$(date -u -d @$(($(date +%s) - 390 * 86400)) +%Y-%m-%dT10:00:00.00Z)
oldid=$(echo "$old" | tr -d ':-')-0123456789ab-cam4
printf '{"type":"read","v":1,"id":"%s","ts":"%s","camera":"cam4","lat":38.2,"lon":-121.2,"plate":"OLD4001","conf":90,"box":[5,6,7,8]}\n' \
	"$oldid" "$old" >>"$T/reads.ndjson"
retention 400
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
as sgt.moreno alpr-store hold add -C 26-0117 -R "vehicles seen at the burglary on Main St" \
	--near 38.5816,-121.4944 --radius 100 >/dev/null 2>&1
as sgt.moreno alpr-export key >"$T/agency.vkey" 2>/dev/null
P="theft ring moving stolen catalytic converters across county lines"
req() {	# USER AGENCY STATE [more]
	_u=$1 _a=$2 _s=$3; shift 3
	as "$_u" alpr-export request --agency "$_a" --agency-state "$_s" \
	    --requester "Det. Ruiz" --purpose "$P" "$@"
}
denied() { entries release | grep -c '"outcome":"denied"'; }

# who and to whom
check_status 1 "an out-of-state agency is refused" req sgt.moreno "Reno Police Department" NV -C 26-0117
like "... with the reason" "$(cat "$T/err")" "out of state \\(NV\\): Civil Code 1798.90.55"
like "... logged" "$(entries release | tail -1)" '"outcome":"denied","refusal":"Reno Police Department is out of state'
check_status 1 "an agency on the list for another state, asked for as CA, is refused" \
	req sgt.moreno "Reno Police Department" CA -C 26-0117
like "... as not on the list" "$(cat "$T/err")" "Reno Police Department \\(CA\\) is not on the list"
like "... whose out-of-state line is reported and ignored" "$(cat "$T/err")" \
	"agencies:4: Reno Police Department is out of state.*ignored"
like "... as is a line without a state, naming file and line" "$(cat "$T/err")" "agencies:7: want the state"
check_status 1 "a federal agency is refused, though listed" req sgt.moreno "FBI Sacramento Field Office" CA -C 26-0117
like "... with the reason, logged" "$(entries release | tail -1)" '"refusal":"FBI Sacramento Field Office is by its name a federal agency'
check_status 1 "a private company is refused, though listed" req sgt.moreno "Acme Vehicle Recovery LLC" CA -C 26-0117
like "... with the reason" "$(cat "$T/err")" "by its name a private agency"
check_status 1 "an agency not on the list is refused" req sgt.moreno "Fresno Police Department" CA -C 26-0117
is "each refusal is in the log" "$(denied)" 5
check_status 1 "an analyst files no request" req jdoe "Sacramento Police Department" CA -C 26-0117
check_status 1 "a request without a purpose of its own is refused" \
	as sgt.moreno alpr-export request --agency "Sacramento Police Department" --agency-state CA \
	--requester "Det. Ruiz" --purpose "investigation" -C 26-0117
like "... as too thin" "$(cat "$T/err")" "purpose too thin: say in at least [0-9]+ characters"
check_status 1 "a request for a case that no hold keeps is refused" req sgt.moreno "Sacramento Police Department" CA -C 26-0999
like "... saying how" "$(cat "$T/err")" "no hold keeps reads of case 26-0999"
check_status 1 "a request for a case that does not name the filer is refused" \
	req sgt.three "Sacramento Police Department" CA -C 26-0117
like "... saying so" "$(cat "$T/err")" "case 26-0117 does not name sgt.three"

# filed, decided, released once
check "a supervisor files a request for the held reads of a case" \
	req sgt.moreno "Sacramento Police Department" CA -C 26-0117
is "... its id and the reads it asks for" "$(cat "$T/out")" "R1 3"
check_status 1 "the one who filed it may not approve it" as sgt.moreno alpr-export approve R1
like "... saying why" "$(cat "$T/err")" "does not decide it"
# the same person, through a second supervisor account from the same OS user
SUDO_USER=sgt.moreno SUDO_UID=$(id -u) alpr-store login -u sgt.alt \
	--password-file "$T/sgt.alt.pw" -c "$(code sgt.alt "now + 30 seconds")" 2>/dev/null
check_status 1 "... nor may a second account of the same OS user" \
	env SUDO_USER=sgt.moreno SUDO_UID=$(id -u) alpr-export approve R1
like "... saying why" "$(cat "$T/err")" "under this account or another from the same OS user"
check_status 1 "... nor deny it" \
	env SUDO_USER=sgt.moreno SUDO_UID=$(id -u) alpr-export deny -R "not needed for this case after all" R1
check "sgt.moreno logs in again as sgt.moreno" loginas sgt.moreno "now + 30 seconds"
check_status 1 "a pending request is not released" as sgt.moreno alpr-export --release R1 "$T/r1"
ok $([ ! -e "$T/r1" ]; echo $?) "... and nothing is made"
rid=$(sfind jdoe 8XYZ402 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
check_status 1 "a request for a read by id names the case it was found under" \
	req sgt.moreno "Sacramento County Sheriff's Office" CA --id "$rid"
like "... saying so" "$(cat "$T/err")" 'under the case they were found under'
check_status 1 "a request for nothing is refused" req sgt.moreno "Sacramento County Sheriff's Office" CA
like "... saying a request by id names its case too" "$(cat "$T/err")" '[(]-C case --id read-id[)]'
check "a request for a read by id, under its case" req sgt.moreno "Sacramento County Sheriff's Office" CA -C 26-0117 --id "$rid"
like "... listing its plate for the one who decides" \
	"$(as audit.kim alpr-export requests -j 2>/dev/null | grep '"id":"R2"')" '"plates":\["8XYZ402"\]'
like "... and in the table of requests" "$(as audit.kim alpr-export requests 2>/dev/null | grep '^R2 ')" '8XYZ402$'
check_status 1 "a denial needs a reason" as sgt.two alpr-export deny R2
check "... and is made with one" as sgt.two alpr-export deny -R "the read is of another case" R2
check_status 1 "a denied request is not released" as sgt.two alpr-export --release R2 "$T/r2"
check "another supervisor approves R1" as sgt.two alpr-export approve R1
check_status 1 "... once" as sgt.two alpr-export approve R1
mdb_dump -s requests "$H/db" >"$T/requests.approved"	# what a rollback puts back
# a read held for the case after the request: not part of it
as sgt.moreno alpr-store hold add -C 26-0117 -R "vehicles seen at the burglary on Main St" \
	--id "$(sfind jdoe "$(sed -n 4p "$T/reads.ndjson" | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')" 2>/dev/null |
	perl -MJSON::PP -ne 'print decode_json($_)->{read_id}; exit')" >/dev/null 2>&1
# a release killed as it writes the bundle: the request stays
# releasing, a release running keeps another off, and it is made again
LD_PRELOAD=$top/tests/preload/die.so ALPR_TEST_DIE=openat:MANIFEST \
	ASAN_OPTIONS=verify_asan_link_order=0 \
	as sgt.two alpr-export --release R1 "$T/r1" >/dev/null 2>&1
is "a release killed as it writes the bundle (sgt.two's, who approved it)" $? 137
as audit.kim alpr-export requests -j 2>/dev/null | grep '"R1"' >"$T/r1state"
like "... leaves the request releasing, not released" "$(cat "$T/r1state")" '"state":"releasing"'
rm -rf "$T/r1"
check_status 1 "... which is not made again as it stands" as sgt.moreno alpr-export --release R1 "$T/r1"
like "... saying why" "$(cat "$T/err")" "its release was cut short, and its bundle may be whole"
check_status 1 "... nor approved again by the one whose release it was" as sgt.two alpr-export approve R1
like "... saying why" "$(cat "$T/err")" "the one whose release was cut short does not approve it again"
check_status 1 "... nor by its filer" as sgt.moreno alpr-export approve R1
flock "$H/release.lock" sleep 3 &
sleep 0.5
check_status 1 "... nor by another while a release runs (it may be this one's, not cut short)" \
	as sgt.three alpr-export approve R1
like "... saying so" "$(cat "$T/err")" "a release is being made now"
wait
check "... but by another supervisor once none runs" as sgt.three alpr-export approve R1
flock "$H/release.lock" sleep 3 &
sleep 0.5
check_status 1 "while a release is made, another waits its turn" as sgt.moreno alpr-export --release R1 "$T/r1"
like "... saying so" "$(cat "$T/err")" "a release is being made now"
wait
check "an approved request is released" as sgt.moreno alpr-export --release R1 "$T/r1"
check "... as a bundle that verifies" alpr-export verify -k "$T/agency.vkey" "$T/r1"
like "... of the three reads the request asked for, not the one held since" "$(cat "$T/out")" "case 26-0117, 3 reads"
perl -MJSON::PP -e 'local $/; $c = decode_json(<STDIN>); $r = $c->{release};
	print join(" ", $r->{id}, $r->{agency}, $r->{requester}, $r->{filed_by}, $r->{approved}{by}, $r->{state}), "\n"' \
	<"$T/r1/CUSTODY.json" >"$T/custody"
is "the custody record names the request, its agency, who filed and approved it" \
	"$(cat "$T/custody")" "R1 Sacramento Police Department Det. Ruiz sgt.moreno sgt.three released"
check_status 1 "an approved request is released once" as sgt.two alpr-export --release R1 "$T/r1b"
like "... the second time refused" "$(cat "$T/err")" "the request is released"
like "the log holds the request, its approvals, each try at its release and export, and its release, in order" \
	"$(grep '"target":"R1"' "$H/log/log.ndjson" | grep -o '"op":"[a-z]*"\|"action":"export"' | tr '\n' ' ')" \
	'"op":"request" "op":"approved" "op":"releasing" "action":"export" "op":"approved" "op":"releasing" "action":"export" "op":"released" $'

# the store turned back (its requests as they stood approved, put in
# place by one who can write its files): the store cannot tell, but the
# log can, and the auditor's report says so
mdb_load -s requests -f "$T/requests.approved" "$H/db" 2>/dev/null
as sgt.moreno alpr-export --release R1 "$T/r1c" >/dev/null 2>&1
alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
is "a request released twice after a rollback is a finding of the audit report" \
	"$(grep '"kind":"released-twice"' "$T/report" | grep -c '"target":"R1"')" 2
ok $(grep '"kind":"release-retried"' "$T/report" | grep -q '"target":"R1"'; echo $?) \
	"... and its release made again after the one cut short"
rm -rf "$T/r1c"

# the list changes after an approval
req sgt.two "Sacramento County Sheriff's Office" CA -C 26-0117 >/dev/null 2>&1
as sgt.moreno alpr-export approve R3 >/dev/null 2>&1
sed -i "/Sheriff/d" "$H/agencies"
check_status 1 "an agency taken off the list since the approval receives nothing" \
	as sgt.two alpr-export --release R3 "$T/r3"
ok $([ ! -e "$T/r3" ]; echo $?) "... nothing is made"

# a read asked for by id that a purge took since the approval
check "a request for an old read by id" req sgt.moreno "Sacramento Police Department" CA -C 26-0117 --id "$oldid/5,6"
check "... approved" as sgt.two alpr-export approve R4
retention 365
alpr-purge >/dev/null 2>&1
check_status 1 "... is not released once the read is purged" as sgt.moreno alpr-export --release R4 "$T/r4"
like "... saying which read" "$(cat "$T/err")" "read $oldid/5,6 is no longer in the store"
ok $([ ! -e "$T/r4" ]; echo $?) "... and nothing is made"

# requests on file
check "an auditor lists the requests" as audit.kim alpr-export requests -j
perl -MJSON::PP -ne '$r = decode_json($_); print "$r->{id} $r->{state} "' "$T/out" >"$T/states"
is "... each as it stands" "$(cat "$T/states")" "R1 released R2 denied R3 approved R4 approved "
like "... the denial with its reason" "$(grep '"R2"' "$T/out")" '"denied":\{"by":"sgt.two","client":"sgt.two","at":"[^"]*","reason":"the read is of another case"\}'
check_status 1 "an analyst does not" as jdoe alpr-export requests
n=0
for i in 5 6 7 8 9 10 11 12; do
	req sgt.moreno "Sacramento Police Department" CA -C 26-0117 >/dev/null 2>&1 &&
	    n=$((n + 1))
done
is "eight requests more filed" "$n" 8
as audit.kim alpr-export requests -j 2>/dev/null |
	perl -MJSON::PP -ne 'print decode_json($_)->{id}, " "' >"$T/ids"
is "... listed in the order they were filed" "$(cat "$T/ids")" "R1 R2 R3 R4 R5 R6 R7 R8 R9 R10 R11 R12 "

# an approval withdrawn before the release
as sgt.two alpr-export approve R5 >/dev/null 2>&1
check_status 1 "a revocation states its reason" as sgt.two alpr-export revoke R5
check_status 1 "a pending request is not revoked (it is denied)" \
	as sgt.two alpr-export revoke -R "the agency withdrew its request by phone" R6
check_status 1 "an analyst revokes nothing" \
	as jdoe alpr-export revoke -R "the agency withdrew its request by phone" R5
check "the approver revokes an approval" \
	as sgt.two alpr-export revoke -R "the agency withdrew its request by phone" R5
check_status 1 "... and the request is not released" as sgt.moreno alpr-export --release R5 "$T/r5"
like "... saying why" "$(cat "$T/err")" "the request is revoked"
ok $([ ! -e "$T/r5" ]; echo $?) "... nothing is made"
like "... the revocation logged with its reason" "$(grep '"target":"R5"' "$H/log/log.ndjson" | grep '"op":"revoked"')" \
	'"change":\{"op":"revoked","reason":"the agency withdrew its request by phone"\}'

# the agency as the list writes it, whatever the case it was typed in
check "a request naming a listed agency in other letters is filed" \
	req sgt.moreno "sacramento POLICE department" ca -C 26-0117
as audit.kim alpr-export requests -j 2>/dev/null | tail -1 |
	perl -MJSON::PP -ne '$r = decode_json($_); print "$r->{agency_state} $r->{agency}"' >"$T/agency"
is "... and kept as the list writes it" "$(cat "$T/agency")" "CA Sacramento Police Department"
like "... so logged" "$(grep '"op":"request"' "$H/log/log.ndjson" | tail -1)" \
	'"agency":"Sacramento Police Department","agency_state":"CA"'
# the list is read once a request: each line it ignores is said once
echo "CA Elk Grove Police Department" >>"$H/agencies"
check "a request to an agency listed after lines that are ignored is filed" \
	req sgt.moreno "Elk Grove Police Department" CA -C 26-0117
is "... each ignored line said once" \
	"$(grep -c 'Reno Police Department is out of state' "$T/err") $(grep -c 'want the state' "$T/err")" "1 1"

# requests as they were filed before they named their case: by id, with
# no case, so that nothing said whose case the reads were of
as sgt.two alpr-export approve R7 >/dev/null 2>&1
for r in R6 R7; do
	store-poke -H "$H" -K "$K" request $r case null
	store-poke -H "$H" -K "$K" request $r by_id null
done
check_status 1 "a request that names no case is not approved" as sgt.two alpr-export approve R6
like "... saying it is filed again under its case" "$(cat "$T/err")" \
	'names no case .*file it again under the case its reads were found under'
check_status 1 "... nor, approved before, released" as sgt.moreno alpr-export --release R7 "$T/r7"
ok $([ ! -e "$T/r7" ]; echo $?) "... nothing is made"
like "... the refusal logged" "$(entries release | tail -1)" '"target":"R7".*"outcome":"denied","refusal":"the request names no case'
done_testing
