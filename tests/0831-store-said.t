#!/bin/sh
# What the store says to the one at the terminal, as its pages say it:
# each thing once, and the exit status they give.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 45
mkstore || { echo "Bail out! no store"; exit 1; }

# A first login enrols the second factor and says so once, after the
# secret; it opens no session (exit 1), and the next login with a code
# from the app does.
pwfile lt.chen.first 'Lieutenant-Pass-77'
pwfile lt.chen 'Lieutenant-Pass-77-own'
as admin alpr-store user add lt.chen -r supervisor \
    --password-file "$T/lt.chen.first.pw" >/dev/null 2>&1
as sgt.moreno alpr-store user approve lt.chen >/dev/null 2>&1
as lt.chen alpr-store login -u lt.chen --password-file "$T/lt.chen.first.pw" \
    --totp-file "$T/lt.chen.totp" 2>"$T/enrol.err"
is "a first login that enrols exits 1 (no session yet)" "$?" 1
is "... and says 'second factor enrolled' once" \
	"$(grep -c 'second factor enrolled' "$T/enrol.err")" 1
check "... and a login with a code from the app opens the session" \
	as lt.chen alpr-store login -u lt.chen \
	--password-file "$T/lt.chen.first.pw" \
	--new-password-file "$T/lt.chen.pw" -c "$(code lt.chen)"

# The auditor reads the log through sudo as the store's account: the
# reading is logged with the person behind it.
as audit.kim alpr-audit -d "$H/log" report >/dev/null 2>&1
like "a report through sudo logs the auditor as its client" \
	"$(entries log-read | tail -1)" '"data":"report","client":"audit.kim"'
# alpr-audit(1)'s sudoers lines allow report, show, prove and verify with
# any words after them: none of those words may reach another command
n0=$(wc -l <"$H/log/log.ndjson")
bad=0
for words in "report append $T/r.ndjson" "report -d $T append" "report -j append" \
    "show -R weekly-review-of-searches append" "show append" \
    "prove 1 append" "prove append" "verify append" "verify -k $T/vkey append"; do
	as audit.kim alpr-audit -d "$H/log" $words </dev/null >/dev/null 2>&1
	[ $? -eq 2 ] || { echo "# not a usage error: $words"; bad=1; }
done
is "words after the commands the auditor's sudoers lines allow are usage errors" "$bad" 0
is "... and nothing is written to the log" "$(wc -l <"$H/log/log.ndjson")" "$n0"

# Listing requests, and a decision the store refused, are no releases:
# the report does not call them releases with thin reasons.
as sgt.moreno alpr-export requests >/dev/null 2>&1
as audit.kim alpr-export requests >/dev/null 2>&1
as jdoe alpr-export requests >/dev/null 2>&1
as sgt.moreno alpr-export approve R1 >/dev/null 2>&1
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
is "no release of the listings or refusals has a thin reason" \
	"$(grep '"kind":"thin-reason"' "$T/report" | grep -c '"action":"release"')" 0
is "... nor is a listing among the releases (the two refusals are)" \
	"$(grep '"kind":"release"' "$T/report" | grep -c '"outcome":"denied"') $(grep '"kind":"release"' "$T/report" | grep -c .)" "2 2"
# an agency script's release without a reason is still one
echo '{"type":"access","v":1,"action":"release","case":"26-0117"}' |
    alpr-audit -d "$H/log" append
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
is "a release with no reason of its own is a thin reason" \
	"$(grep '"kind":"thin-reason"' "$T/report" | grep -c '"action":"release"')" 1

# show -o FILE writes the frame to a new file: one that exists is refused
# before anything is shown (status 1, as alpr-export's), and left as it was.
read1() {
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":38.5,"lon":-121.4,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$(echo "$1" | tr -d ':-')" "$1" "$2"
}
read1 "$(date -u +%Y-%m-%dT%H:00:00.00Z)" 7ABC123 >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
id=$(sfind jdoe 7ABC123 2>/dev/null | sed 's/.*"read_id":"\([^"]*\)".*/\1/')
echo keep >"$T/frame.jpg"
n0=$(entries show | grep -c .)
sshow jdoe -o "$T/frame.jpg" "$id" >"$T/out" 2>"$T/err"
is "show -o onto a file that exists exits 1" "$?" 1
is "... shows nothing" "$(cat "$T/out")" ""
is "... and leaves the file as it was" "$(cat "$T/frame.jpg")" keep
like "... saying so" "$(cat "$T/err")" "frame.jpg exists: show writes a frame only to a new file"
sshow jdoe -o "$T/new.jpg" "$id" >"$T/out" 2>"$T/err"
ok $([ ! -e "$T/new.jpg" ] && [ -n "$(cat "$T/out")" ] && [ "$(entries show | grep -c .)" = $((n0 + 1)) ]; echo $?) \
	"... a read without a frame is shown and logged, and no empty file made"

# alpr(7): an input file that is missing is reported and gives status 3,
# and the others are read; one refused for what it is (not the caller's,
# through sudo) gives 1.
ts=$(date -u +%Y-%m-%dT%H:01:00.00Z)
read1 "$ts" 8ABC123 >"$T/r2.ndjson"
alpr-store add -D car1 "$T/nonesuch.ndjson" "$T/r2.ndjson" 2>"$T/err"
is "add of a missing file and another exits 3" "$?" 3
is "... the other's read stored" "$(sfind jdoe 8ABC123 2>/dev/null | grep -c .)" 1
as admin alpr-store add "$T/nonesuch.ndjson" 2>"$T/err"
is "... so through sudo" "$?" 3
chown 4242 "$T/r2.ndjson"
as admin alpr-store add "$T/r2.ndjson" 2>"$T/err"
is "... a file not the caller's, through sudo, is a refusal: 1" "$?" 1

# alpr.conf(5): agency_state is two letters; anything else is an error
# that names the file, and the store does not open.
cp "$H/alpr.conf" "$T/alpr.conf"
sed -i 's/^agency_state = .*/agency_state = 12/' "$H/alpr.conf"
check_status 3 "agency_state of two digits: the store does not open" \
	alpr-store policy
like "... saying so" "$(cat "$T/err")" "agency_state be two letters"
cp "$T/alpr.conf" "$H/alpr.conf"

# An account as user show gives it: what alpr-records(5) lists, never
# the hash, the secret, the credential generation or the sessions' ids.
as admin alpr-store user show jdoe -j >"$T/acct" 2>/dev/null
is "user show -j: no hash, secret or bookkeeping" \
	"$(grep -c '"pwhash"\|"totp"\|"credgen"\|"sessions"\|"pw_set_client"\|"disabled_from"' "$T/acct")" 0
like "... the number of open sessions instead" "$(cat "$T/acct")" '"open_sessions":1'
like "... and what the page lists" "$(cat "$T/acct")" '"name":"jdoe","role":"analyst","status":"active"'

# What a search cannot mean is a usage error, before anything is logged:
# a table and CSV at once, a range that ends before it begins.
n=$(entries search | wc -l)
check_status 2 "find -t -c is refused" sfind jdoe -t -c 8ABC123
like "... saying why" "$(cat "$T/err")" "-c and -t exclude each other"
check_status 2 "--from later than --to is refused" \
	sfind jdoe --from 2026-11-05 --to 2026-11-04 8ABC123
like "... saying why" "$(cat "$T/err")" "--from is later than --to"
is "... neither searched nor logged" "$(entries search | wc -l)" "$n"
check "--from and --to on one day is a day" \
	sfind jdoe --from "${ts%%T*}" --to "${ts%%T*}" 8ABC123

# Civil Code 1798.90.52: every access logs its purpose. A hold keeps
# reads as evidence, and an export of a case's holds sends them out as
# such: the log says so, or gives the purpose stated (checked as a
# search's).
R="plate seen at the burglary on Main St, kept for the court"
check "a hold with no purpose stated is placed" \
	as sgt.moreno alpr-store hold add -C 26-0117 -R "$R" 8ABC123
like "... its purpose logged as evidence" "$(entries hold | tail -1)" \
	'"purpose":"evidence","case":"26-0117"'
check "a hold with a purpose" as sgt.moreno alpr-store hold add \
	-P stolen-vehicle -C 26-0117 -R "$R" 8ABC123
like "... logs it" "$(entries hold | tail -1)" '"purpose":"stolen-vehicle"'
check_status 1 "a hold with a purpose not of alpr.conf is refused" \
	as sgt.moreno alpr-store hold add -P curiosity -C 26-0117 -R "$R" 8ABC123
like "... saying so" "$(cat "$T/err")" "purpose"
is "... and places nothing" "$(entries hold | grep -c '"outcome":"ok"')" 2
check "the held reads of the case exported" \
	as sgt.moreno alpr-export -C 26-0117 -R "$R" "$T/bundle"
like "... the export's purpose logged as evidence" \
	"$(entries export | tail -1)" '"purpose":"evidence"'
like "... as the custody record says" "$(cat "$T/bundle/CUSTODY.json")" \
	'"purpose": *"evidence"'
check_status 1 "... but not by a supervisor the case does not name" \
	as lt.ruiz alpr-export -C 26-0117 -R "$R" "$T/bundle2"
ok $([ ! -e "$T/bundle2" ]; echo $?) "... nothing made"

# A purge refused (another purge, or a push, runs) says so, and gives no
# figures of a plan it never made.
command -v flock >/dev/null || skip_all "flock (util-linux) not installed"
flock "$H/purge.lock" alpr-purge -n >"$T/out" 2>"$T/err"
is "a dry run while another purge runs exits 1" "$?" 1
is "... and prints no cut-off or counts" "$(cat "$T/out")" ""
flock "$H/push.lock" alpr-purge -n -w 1 >"$T/out" 2>"$T/err"
is "a dry run while a push runs exits 1 after -w seconds" "$?" 1
like "... saying a push runs, no figures" "$(cat "$T/err")$(cat "$T/out")" \
	'a push of .* is running: purge again later$'
done_testing
