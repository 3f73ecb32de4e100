#!/bin/sh
# Attacks on accounts, sessions and what a search must state, each run
# and caught: a reason that is no UTF-8 text, an admin getting round a
# supervisor's approval by disabling and enabling, a session outliving a
# disable or a lockout, a password change restarting a session's hours,
# an admin's "user passwd" on themselves, refusals that left no entry,
# one person approving through a second account what the first asked for.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 40

mkstore || { echo "Bail out! no store"; exit 1; }
# a read a month back, inside the retention whatever the day
d=$(daysago 30)
printf '{"type":"read","v":1,"id":"%sT100000.00Z-0123456789ab-camA","ts":"%sT10:00:00.00Z","camera":"camA","lat":38.58,"lon":-121.49,"plate":"PARTNR1","conf":90,"box":[1,2,3,4]}\n' \
	"$(echo "$d" | tr -d -)" "$d" >"$T/r.ndjson"
setup alpr-store add -D car1 "$T/r.ndjson"
rid=$(echo "$d" | tr -d -)T100000.00Z-0123456789ab-camA/1,2
last() {	# the last log entry of action $1, member $2 (raw JSON)
	entries "$1" | tail -1 | perl -MJSON::PP -ne \
		'print JSON::PP->new->canonical->allow_nonref->encode(decode_json($_)->{'"$2"'})'
}

# a reason with a byte that is no UTF-8: refused, nothing shown, and the
# refusal logged with the reason as given (the byte written \xff)
R=$(printf 'silver sedan seen leaving the burglary \377')
as jdoe alpr-store find -P investigation -C 26-0117 -R "$R" PARTNR1 >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && ! grep -q PARTNR1 "$T/out"; echo $?) "a reason that is not UTF-8: the search is refused, nothing shown"
like "and said" "$(cat "$T/err")" "not UTF-8 text"
is "the refusal is logged with the reason as given" "$(last search reason)" \
	'"silver sedan seen leaving the burglary \\xff"'
is "denied" "$(last search outcome)" '"denied"'
as jdoe alpr-store show -P investigation -C 26-0117 -R "$R" -o "$T/f.jpg" "$rid" >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && ! grep -q PARTNR1 "$T/out"; echo $?) "show likewise"
as jdoe alpr-store find -P investigation -C 26-0117 \
	-R "$(printf 'silver sedan seen leaving\033[2J the burglary')" PARTNR1 >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ] && ! grep -q PARTNR1 "$T/out"; echo $?) "a reason with a control character is refused"
check "a reason in words is taken" sfind jdoe PARTNR1
like "and the read shown" "$(cat "$T/out")" PARTNR1

# disable and enable approve nothing: an account a supervisor must
# approve again (its second factor reset, a password an admin set) stays
# pending, and its taker cannot log in
pwfile evil 'Admin-Chosen-Pass-55'
check "an admin resets jdoe's second factor" as admin alpr-store user totp jdoe
check "and sets a password" as admin alpr-store user passwd jdoe --password-file "$T/evil.pw"
check "disables the account" as admin alpr-store user disable jdoe -R "a reason to"
check "and enables it" as admin alpr-store user enable jdoe
like "it is pending still: no supervisor approved" \
	"$(as admin alpr-store user show jdoe -j)" '"status":"pending"'
as mallory alpr-store login -u jdoe --password-file "$T/evil.pw" --totp-file "$T/evil.totp" >/dev/null 2>&1
ok $([ ! -s "$T/evil.totp" ]; echo $?) "the password's holder cannot enrol a second factor"
check "a role change waits for approval" as admin alpr-store user role pat.ops supervisor
as admin alpr-store user disable pat.ops -R "a reason to"
as admin alpr-store user enable pat.ops
like "disable and enable leave it pending" "$(as admin alpr-store user show pat.ops -j)" \
	'"status":"pending"'
check "a supervisor approves it" as sgt.moreno alpr-store user approve pat.ops
like "and is told the role approved" "$(cat "$T/err")" "approved as supervisor \\(was operator\\)"
is "the log says from which role" "$(last user-change from_role)" '"operator"'

# sessions end with a disable, and with a lockout
check "audit.kim's session works" as audit.kim alpr-store whoami
as admin alpr-store user disable audit.kim -R "a reason to"
as admin alpr-store user enable audit.kim
check_status 1 "after a disable and an enable, the old session does not" \
	as audit.kim alpr-store whoami
pwfile bad 'nope-nope-123'
loginas audit.kim "now + 30 seconds" >/dev/null 2>&1
check "logged in again" as audit.kim alpr-store whoami
for i in 1 2 3 4 5 6; do
	as mallory alpr-store login -u audit.kim --password-file "$T/bad.pw" -c 000000 >/dev/null 2>&1
done
as admin alpr-store user unlock audit.kim
check_status 1 "after a lockout and an unlock, the old session does not" \
	as audit.kim alpr-store whoami

# a password changed in a session keeps its hours
t0=$(($(date +%s) - 12 * 3600 + 60))
store-poke -H "$H" session sgt.moreno created "$t0"
printf '%s\n%s\n' "$(cat "$T/sgt.moreno.pw")" 'Brand-New-Phrase-77' >"$T/c1.pw"
check "sgt.moreno changes password in an 11h59m session" \
	as sgt.moreno alpr-store passwd --password-file "$T/c1.pw"
is "the session still dates from its login" \
	"$(head -1 "$H/sessions/sgt.moreno" | perl -MJSON::PP -ne 'print decode_json($_)->{created}')" "$t0"

# an admin's "user passwd" on themselves
pwfile np 'Another-Good-Pass-31'
check_status 1 "user passwd on oneself is refused" \
	as admin alpr-store user passwd admin --password-file "$T/np.pw"
like "pointing to alpr-store passwd" "$(cat "$T/err")" "alpr-store passwd"

# refusals with names that are no account names are logged
n0=$(wc -l <"$H/log/log.ndjson")
pwfile guess 'whatever-guess-1'
as mallory alpr-store login -u "$(printf 'jd\377oe')" --password-file "$T/guess.pw" -c 000000 >/dev/null 2>&1
as mallory alpr-store login -u "$(head -c 40000 /dev/zero | tr '\0' a)" --password-file "$T/guess.pw" -c 000000 >/dev/null 2>&1
as admin alpr-store user disable "$(printf 'x\377')" >/dev/null 2>&1
n1=$(wc -l <"$H/log/log.ndjson")
is "three refusals of names that are not UTF-8 or too long, three entries" $((n1 - n0)) 3
like "the long name logged cut" "$(entries login-failed | tail -1)" '"target":"a{64}\.\.\."'

# a disable that lands while a login stands between its password check
# and its commit (die.so stalls the check): the login is refused
LD_PRELOAD=$top/tests/preload/die.so ALPR_TEST_STALL=crypto_pwhash_str_verify:3 \
	ASAN_OPTIONS=verify_asan_link_order=0 \
	as audit.kim alpr-store login -u audit.kim --password-file "$T/audit.kim.pw" \
	-c "$(code audit.kim "now + 30 seconds")" >"$T/lo" 2>"$T/le" &
lp=$!
sleep 1
as admin alpr-store user disable audit.kim -R "badge reported stolen last night" >/dev/null 2>&1
wait $lp
is "a login a disable overtook is refused" $? 1
like "... saying why" "$(cat "$T/le")" "the account changed while it logged in"
check_status 1 "... and leaves no session" as audit.kim alpr-store whoami

# one person, two accounts: an admin who also holds a supervisor's
# account, both reached from the same OS user, approves nothing they
# asked for: an account they made (even if another admin gave it a role
# since), a role they gave, a password they set
asadm() { SUDO_USER=admin SUDO_UID=$(id -u) "$@"; }
printf 'Other-Admin-Pass-71\n' >"$T/adm2.first"
printf 'Other-Admin-Pass-71-own\n' >"$T/adm2.pw"
as admin alpr-store user add adm2 -r admin --password-file "$T/adm2.first" >/dev/null 2>&1
as sgt.moreno alpr-store user approve adm2 >/dev/null 2>&1
firstlogin adm2 || echo "# no second admin"
pwfile crony.first 'Friendly-Pass-18-abc'
as admin alpr-store user add crony -r analyst --password-file "$T/crony.first.pw" >/dev/null 2>&1
as admin alpr-store user role jdoe supervisor >/dev/null 2>&1
as admin alpr-store user add xacct -r analyst --password-file "$T/crony.first.pw" >/dev/null 2>&1
as adm2 alpr-store user role xacct operator >/dev/null 2>&1
pwfile reset 'Reset-By-Admin-Pass-90'
as adm2 alpr-store user add pwacct -r analyst --password-file "$T/crony.first.pw" >/dev/null 2>&1
as sgt.moreno alpr-store user approve pwacct >/dev/null 2>&1
as admin alpr-store user passwd pwacct --password-file "$T/reset.pw" >/dev/null 2>&1
# its first login from an OS user of its own, as the store asks; later
# ones from the admin's
supervisor sgt.adm Second-Hat-Pass-64 sgt.moreno
asadm alpr-store login -u sgt.adm --password-file "$T/sgt.adm.pw" \
	-c "$(code sgt.adm "now + 30 seconds")" >/dev/null 2>&1
check "the admin's OS user is logged in as a supervisor" asadm alpr-store whoami
like "... as sgt.adm" "$(cat "$T/out")" "sgt.adm"
check_status 1 "that supervisor account does not approve the account its admin made" \
	asadm alpr-store user approve crony
like "... saying why" "$(cat "$T/err")" "another from the same OS user"
check_status 1 "... nor the role its admin gave" asadm alpr-store user approve jdoe
check_status 1 "... nor an account its admin made that another admin gave a role" \
	asadm alpr-store user approve xacct
check_status 1 "... nor a password its admin set (on an account another made)" \
	asadm alpr-store user approve pwacct
check "another supervisor approves all four" sh -c \
	'for u in crony jdoe xacct pwacct; do
		SUDO_USER=sgt.moreno SUDO_UID=$(id -u) alpr-store user approve $u || exit 1
	 done'
done_testing
