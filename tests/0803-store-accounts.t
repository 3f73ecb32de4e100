#!/bin/sh
# Accounts: approval by another supervisor, training before data, strong
# passwords, a second factor used once, lockout after failed logins,
# disabling after 90 days unused, sessions that end; every change logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 108

mkstore || { echo "Bail out! no store"; exit 1; }

# the role table in the man page is the one the program enforces
alpr-store roles >"$T/roles"
sed -n '/^\.Sh ROLES/,/^\.Ed/p' "$top/man/alpr-store.1" | sed -n '/^\.Bd -literal/,/^\.Ed/p' | sed '1d;$d' >"$T/roles.man"
same "alpr-store(1) shows the role table alpr-store roles prints" "$T/roles.man" "$T/roles"

# approval
pwfile ann 'Initial-Pass-77-ann'
check "an admin adds an analyst" as admin alpr-store user add ann.lee -r analyst \
	--password-file "$T/ann.pw"
check_status 1 "a pending account cannot log in" as ann.lee alpr-store login -u ann.lee \
	--password-file "$T/ann.pw" --totp-file "$T/ann.lee.totp"
like "... it waits for approval (told only to one who knows the password)" \
	"$(cat "$T/err")" "waiting for a supervisor's approval"
ok $([ ! -e "$T/ann.lee.totp" ]; echo $?) "... and enrols nothing"
check_status 1 "the admin may not approve it" as admin alpr-store user approve ann.lee
pwfile sgt2 'Second-Super-Pass-5'
as admin alpr-store user add sgt.lee -r supervisor --password-file "$T/sgt2.pw" >/dev/null 2>&1
check_status 1 "nor a second supervisor, once there is one" as admin alpr-store user approve sgt.lee
check_status 1 "nobody approves their own account" as sgt.moreno alpr-store user approve sgt.moreno
like "... saying so" "$(cat "$T/err")" "nobody approves their own account"
check "a supervisor approves" as sgt.moreno alpr-store user approve ann.lee
check_status 1 "an operator may not approve" as pat.ops alpr-store user approve sgt.lee

# training before data
printf 'Own-Pass-For-Ann-99\n' >"$T/ann.new"
check_status 1 "the approved analyst's first login enrols a second factor" \
	as ann.lee alpr-store login -u ann.lee --password-file "$T/ann.pw" \
	--totp-file "$T/ann.lee.totp"
like "... its secret and URI for the user's app, to the user's own file" \
	"$(cat "$T/ann.lee.totp" | tr '\n' ' ')" '^[A-Z2-7]{32} otpauth://totp/'
like "... logged as an enrolment, not a failed login" "$(grep '"target":"ann.lee"' "$H/log/log.ndjson" | tail -1)" \
	'"action":"enrol","target":"ann.lee","outcome":"ok"'
check "... then logs in with a code, choosing a password" as ann.lee alpr-store login \
	-u ann.lee --password-file "$T/ann.pw" --new-password-file "$T/ann.new" -c "$(code ann.lee)"
check_status 1 "without training, no search" sfind ann.lee 7ABC123
like "... saying why" "$(cat "$T/err")" "no current training"
check_status 1 "nobody records their own training" as sgt.moreno alpr-store user train sgt.moreno
as sgt.moreno alpr-store user train ann.lee -c 2024-01-02 -e 2025-01-02 >/dev/null 2>&1
check_status 1 "training that has expired does not count" sfind ann.lee 7ABC123
as sgt.moreno alpr-store user train ann.lee -c "$(date -u -d '40 days ago' +%F)" \
	-e "$(date -u -d yesterday +%F)" >/dev/null 2>&1
check_status 1 "training that expired yesterday does not count" sfind ann.lee 7ABC123
like "... saying why" "$(cat "$T/err")" "no current training"
# tomorrow as of a minute ahead: the day after in the day's last minute,
# so that midnight, passing before the store reads its clock, does not
# make it today
check_status 1 "training completed tomorrow is refused" \
	as sgt.moreno alpr-store user train ann.lee -c "$(date -u -d '1 day 1 minute' +%Y-%m-%d)"
like "... saying why" "$(cat "$T/err")" "completed: a date in the future"
check_status 1 "training that would count for more than three years is refused" \
	as sgt.moreno alpr-store user train ann.lee -c 2026-11-02 -e 2029-11-03
like "... saying why" "$(cat "$T/err")" "at most three years after it"
check "training recorded by a supervisor..." as sgt.moreno alpr-store user train ann.lee -c "$(daysago 30)"
as lt.ruiz alpr-store case add 26-0117 ann.lee -R "new analyst on the burglary team this week" >/dev/null 2>&1
check_status 1 "... opens the searches (none found here)" sfind ann.lee 7ABC123
like "... (a search, not a refusal)" "$(entries search | tail -1)" '"user":"ann.lee".*"count":0,"outcome":"ok"'

# roles
check_status 1 "an admin searches nothing" sfind admin 7ABC123
check_status 1 "an auditor searches nothing" sfind audit.kim 7ABC123
check_status 1 "an operator searches plates, not patterns" sfind pat.ops '7AB*'
check "an auditor lists the accounts" as audit.kim alpr-store user list -j
like "... with their roles" "$(cat "$T/out")" '"name":"jdoe".*"role":"analyst"'
ok $(grep -q 'pwhash\|totp"\|argon' "$T/out"; [ $? = 1 ]; echo $?) "... and no password hash or TOTP secret"
check_status 1 "an analyst may not list them" as jdoe alpr-store user list

# passwords
for p in 'short1A!' 'Password2026!' 'ann.leeRocks-2026' 'aaaaaaaaaaaaaaaa' 'abcdefghijklmnop'; do
	printf '%s\n' "$p" >"$T/bad.pw"
	as admin alpr-store user passwd ann.lee --password-file "$T/bad.pw" >/dev/null 2>&1
	echo $?
done | tr '\n' ' ' >"$T/codes"
is "short, banned (with digits added), holding the name, repeated or sequential passwords are refused" \
	"$(cat "$T/codes")" "1 1 1 1 1 "
printf 'Own-Pass-For-Ann-99\nOwn-Pass-For-Ann-99\n' >"$T/same.pw"
check_status 1 "a new password must differ from the old" as ann.lee alpr-store passwd --password-file "$T/same.pw"
printf 'Not-Her-Current-1\nQuite-New-Pass-For-Ann-7\n' >"$T/notcur.pw"
check_status 1 "one's own password changes only with the current one" \
	as ann.lee alpr-store passwd --password-file "$T/notcur.pw"
like "... saying so" "$(cat "$T/err")" "the current password is wrong"

# the second factor
check_status 1 "a wrong code is refused" as jdoe alpr-store login -u jdoe --password-file "$T/jdoe.pw" -c 123456
c=$(code jdoe "now + 30 seconds")
check "the right code logs in" as jdoe alpr-store login -u jdoe --password-file "$T/jdoe.pw" -c "$c"
check_status 1 "the same code again is refused: a replay" as jdoe alpr-store login -u jdoe --password-file "$T/jdoe.pw" -c "$c"
check_status 1 "a code from an hour ahead is refused" as jdoe alpr-store login -u jdoe \
	--password-file "$T/jdoe.pw" -c "$(code jdoe "now + 1 hour")"
check_status 1 "a code 90 seconds ahead is refused: one step either side, no more" \
	as audit.kim alpr-store login -u audit.kim --password-file "$T/audit.kim.pw" \
	-c "$(code audit.kim "now + 90 seconds")"

# lockout: 5 failures within 15 minutes
pwfile pat.bad 'not-the-password-1'
for i in 1 2 3 4; do
	as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.bad.pw" -c 000000 >/dev/null 2>&1
done
failures() {	# SECONDS-AGO: four failed logins that long ago
	_t=$(($(date +%s) - $1))
	store-poke -H "$H" account pat.ops failures \
	    "[{\"t\":$_t,\"id\":\"a\"},{\"t\":$_t,\"id\":\"b\"},{\"t\":$_t,\"id\":\"c\"},{\"t\":$_t,\"id\":\"d\"}]"
}
failures 1000
as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.bad.pw" -c 000000 >/dev/null 2>&1
check "failures older than 15 minutes do not count" as pat.ops alpr-store login -u pat.ops \
	--password-file "$T/pat.ops.pw" -c "$(code pat.ops "now + 30 seconds")"
failures 600
as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.bad.pw" -c 000000 >/dev/null 2>&1
store-poke -H "$H" account pat.ops totp_step 0
check_status 1 "four failures ten minutes ago and one now lock the account" \
	as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.ops.pw" -c "$(code pat.ops)"
as admin alpr-store user unlock pat.ops >/dev/null 2>&1
for i in 1 2 3 4 5; do
	as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.bad.pw" -c 000000 >/dev/null 2>&1
done
check_status 1 "after 5 failures within 15 minutes the right password is refused" \
	as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.ops.pw" -c "$(code pat.ops "now - 30 seconds")"
like "... told only that the login was refused" "$(cat "$T/err")" "login refused: wrong user, password or code"
like "... the log says the account is locked" "$(entries login-failed | tail -1)" '"user":"pat.ops".*"refusal":"locked after failed logins"'
like "the lockout is in the access log" "$(entries lockout)" '"target":"pat.ops".*"cause":"too many failed logins"'
ok $([ "$(entries login-failed | grep -c '"user":"pat.ops"')" -ge 10 ]; echo $?) "... and every failure"
check_status 1 "its session ended with it" sfind pat.ops 7ABC123
like "... saying so" "$(cat "$T/err")" "pat.ops: session ended: the account is locked"
check_status 1 "nobody unlocks their own account" as admin alpr-store user unlock admin
check "an admin unlocks it" as admin alpr-store user unlock pat.ops
store-poke -H "$H" account pat.ops totp_step 0	# as if a minute had passed
check "... and it logs in again" as pat.ops alpr-store login -u pat.ops --password-file "$T/pat.ops.pw" -c "$(code pat.ops)"

# 90 days unused
store-poke -H "$H" account audit.kim last_login "\"$(date -u -d '91 days ago' +%Y-%m-%dT%H:%M:%S.00Z)\""
check_status 1 "an account unused for 91 days is disabled at its next login" \
	as audit.kim alpr-store login -u audit.kim --password-file "$T/audit.kim.pw" -c "$(code audit.kim "now + 30 seconds")"
like "... saying why" "$(cat "$T/err")" "unused for longer than inactive_days"
check "an admin enables it" as admin alpr-store user enable audit.kim

# 90 days unused, a device's key: its use is a batch it stores
store-gen -n 20 -d 1 -s 3 >"$T/dev.ndjson"
store-gen -n 20 -d 1 -s 4 >"$T/dev2.ndjson"
store-gen -n 20 -d 1 -s 7 >"$T/dev5.ndjson"
ago() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.00Z; }
shown() { as admin alpr-store user show "$1" -j 2>/dev/null | grep -o "\"$2\":\"[^\"]*\""; }
bykey() {	# FILE: the car's push, through its SSH key
	SSH_CONNECTION="192.0.2.9 50000 192.0.2.1 22" SSH_ORIGINAL_COMMAND=add \
	    alpr-store --device car1 <"$1"
}
count() { store-poke -H "$H" count | cut -d' ' -f2; }
like "an approved device's disuse starts at its approval" "$(shown car1 last_used)" '"last_used":"2'
store-poke -H "$H" account car1 last_used "\"$(ago '2 hours ago')\""
check "a device adds through its key" bykey "$T/dev.ndjson"
ok $([ "$(shown car1 last_used)" \> "\"last_used\":\"$(ago '10 minutes ago')" ]; echo $?) \
	"... and its use is kept"
store-poke -H "$H" account car1 last_used "\"$(ago '91 days ago')\""
n0=$(count)
check_status 1 "a device's key unused for 91 days is refused at its next add" \
	bykey "$T/dev2.ndjson"
like "... saying why" "$(cat "$T/err")" "car1: disabled: unused for longer than inactive_days"
is "... storing nothing" "$(count)" "$n0"
like "... and the account is disabled" "$(shown car1 status)" '"status":"disabled"'
like "the log says so first" "$(entries user-change | tail -1)" \
	'"target":"car1".*"change":\{"op":"disable"\}.*"reason":"unused for longer than inactive_days \(90\): last used '
like "... then the refused add" "$(entries add | tail -1)" '"target":"car1".*"outcome":"denied".*unused for longer'
check_status 1 "... and it stays refused" bykey "$T/dev2.ndjson"
check "an admin enables it" as admin alpr-store user enable car1
check "... and its add goes in" bykey "$T/dev2.ndjson"
is "... every read of it" "$(count)" "$((n0 + 20))"
u89=$(ago '89 days ago')
store-poke -H "$H" account car1 last_used "\"$u89\""
bykey /dev/null >/dev/null 2>&1
bykey "$T/dev2.ndjson" >/dev/null 2>&1	# stored already
like "an add that stores nothing is no use: a dormant key stays dormant" \
	"$(shown car1 last_used)" "\"last_used\":\"$(echo "$u89" | cut -c1-10)"
store-poke -H "$H" account car1 last_used "\"$(ago '10 days')\""
bykey /dev/null >/dev/null 2>&1
ok $([ "$(shown car1 last_used)" \< "\"last_used\":\"$(ago '1 minute')" ]; echo $?) \
	"a use kept in the future (a clock run ahead) starts again from now"
store-poke -H "$H" account car1 last_used null	# from before it was kept
store-poke -H "$H" account car1 approved "\"$(ago '200 days ago')\""
store-poke -H "$H" meta device_use_from -
day0=$(date -u +%Y-%m-%d)	# the add's day: this one, or the next if
bykey /dev/null >/dev/null 2>&1	# midnight comes while it runs
day1=$(date -u +%Y-%m-%d)
like "a device's key from before its use was kept is not disabled at once" \
	"$(shown car1 status)" '"status":"active"'
is "... an empty add keeps no use" "$(shown car1 last_used)" ""
like "... the store keeps since when it counts" "$(store-poke -H "$H" meta device_use_from)" "^($day0|$day1)T"
store-poke -H "$H" meta device_use_from "$(ago '91 days ago')"
check_status 1 "... and disables it once inactive_days have passed since then, unused" \
	bykey "$T/dev2.ndjson"
check "an admin enables it" as admin alpr-store user enable car1
store-poke -H "$H" account car1 last_used "\"$(ago '200 days ago')\""
check "the service account's own pipeline (no key) is no credential: a car back from the shop adds" \
	alpr-store add -D car1 "$T/dev5.ndjson"
is "... every read" "$(count)" "$((n0 + 40))"
ok $([ "$(shown car1 last_used)" \> "\"last_used\":\"$(ago '10 minutes ago')" ]; echo $?) \
	"... and its use is kept"

# a device disabled while its add runs stores nothing more
store-gen -n 20 -d 1 -s 5 >"$T/dev3.ndjson"
store-gen -n 20 -d 1 -s 6 >"$T/dev4.ndjson"
mkfifo "$T/feed"
alpr-store add -D car1 <"$T/feed" >/dev/null 2>"$T/run.err" & runner=$!
exec 7>"$T/feed"
cat "$T/dev3.ndjson" >&7
n1=$((n0 + 60)) i=0
while [ "$(store-poke -H "$H" count | cut -d' ' -f2)" -lt "$n1" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
is "a running add stores a first batch" "$(store-poke -H "$H" count | cut -d' ' -f2)" "$n1"
as admin alpr-store user disable car1 -R "camera taken from its pole" >/dev/null 2>&1
cat "$T/dev4.ndjson" >&7
exec 7>&-
( trap 'exit 0' TERM; sleep 60 & wait $!; kill "$runner" ) >/dev/null 2>&1 & guard=$!	# a hung add fails, not hangs
wait $runner; st=$?
kill "$guard" 2>/dev/null
is "... and is refused once the admin disables the device" "$st" 1
is "... storing nothing after" "$(store-poke -H "$H" count | cut -d' ' -f2)" "$n1"
like "... saying why" "$(cat "$T/run.err")" "car1: the device account was disabled while it added"
like "... in the log too" "$(entries add | tail -1)" '"target":"car1".*"outcome":"denied".*disabled while it added'

# sessions
check "a session serves" as jdoe alpr-store whoami
store-poke -H "$H" session jdoe last "$(($(date +%s) - 31 * 60))"
check_status 1 "after 31 minutes idle it has ended" as jdoe alpr-store whoami
like "... and says so" "$(cat "$T/err")" "idle for more than 30 minutes"
as ann.lee alpr-store whoami >/dev/null
store-poke -H "$H" session ann.lee created "$(($(date +%s) - 13 * 3600))"
check_status 1 "a session ends 12 hours after its login, used or not" as ann.lee alpr-store whoami
cp "$H/sessions/sgt.moreno" "$H/sessions/intruder"
check_status 1 "another OS user's session file is no session" as intruder alpr-store whoami
sed 's/"user":"pat.ops"/"user":"sgt.moreno"/' "$H/sessions/pat.ops" >"$T/forged"
cp "$T/forged" "$H/sessions/pat.ops"
check_status 1 "a session edited without the key is refused" as pat.ops alpr-store whoami
like "... as not the store's" "$(cat "$T/err")" "not one the store wrote"
check "a supervisor's session serves" as sgt.moreno alpr-store whoami
as admin alpr-store user passwd sgt.moreno --password-file "$T/sgt2.pw" >/dev/null 2>&1
check_status 1 "a password set by an admin ends the account's session" as sgt.moreno alpr-store whoami

# a right code does not make up for a wrong password
printf 'Not-Her-Password-1\n' >"$T/wrong.pw"
store-poke -H "$H" account jdoe totp_step 0	# as if a minute had passed
check_status 1 "a wrong password with the right code is refused" \
	as jdoe alpr-store login -u jdoe --password-file "$T/wrong.pw" -c "$(code jdoe)"
like "... as any wrong login is" "$(cat "$T/err")" "jdoe: login refused: wrong user, password or code"

# a disabled account's session ends with it
store-poke -H "$H" account jdoe totp_step 0	# as if a minute had passed
check "jdoe logs in again" as jdoe alpr-store login -u jdoe --password-file "$T/jdoe.pw" -c "$(code jdoe)"
as admin alpr-store user disable jdoe -R "on leave from the unit" >/dev/null 2>&1
check_status 1 "a disabled account's session ends" as jdoe alpr-store whoami
like "... saying so" "$(cat "$T/err")" "jdoe: session ended: the account is not active"
store-poke -H "$H" account jdoe totp_step 0	# as if a minute had passed
check_status 1 "a disabled account does not log in, password and code right" \
	as jdoe alpr-store login -u jdoe --password-file "$T/jdoe.pw" -c "$(code jdoe)"
like "... the log says why" "$(entries login-failed | tail -1)" '"target":"jdoe","outcome":"denied","refusal":"disabled"'

# in a store of its own, before it has a supervisor: an admin approves
# the first supervisor, and no other account
ALPR_HOME=$T/home2 ALPR_KEY_FILE=$T/store2.key
alpr-store init -a "Second Police Department" --password-file "$T/admin.pw" \
	--totp-file "$T/admin2.totp" >/dev/null 2>&1
as admin alpr-store login -u admin --password-file "$T/admin.pw" \
	-c "$(oathtool --totp -b "$(head -1 "$T/admin2.totp")")" >/dev/null 2>&1
as admin alpr-store user add ana2 -r analyst --password-file "$T/jdoe.first" >/dev/null 2>&1
as admin alpr-store user add sup2 -r supervisor --password-file "$T/jdoe.first" >/dev/null 2>&1
check_status 1 "an admin approves no analyst, even before the first supervisor" \
	as admin alpr-store user approve ana2
check "... but the first supervisor" as admin alpr-store user approve sup2
ALPR_HOME=$H ALPR_KEY_FILE=$K

# an account's sealed record copied under another name opens as none
store-poke -H "$H" copy-account audit.kim ghost.kim
as admin alpr-store user show ghost.kim >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && ! grep -q audit "$T/out"; echo $?) "an account's record copied under another name is no account"
like "... and is said not to open" "$(cat "$T/err")" "ghost.kim does not open with the key file's key"

# every change in the log
for op in add approve train password disable enable unlock; do
	entries user-change | grep -q "\"op\":\"$op\""
	ok $? "the log records a user change: $op"
done 2>/dev/null | grep -c '^ok' >"$T/n"
is "every kind of account change is in the log" "$(cat "$T/n")" 7
done_testing
