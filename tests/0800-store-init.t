#!/bin/sh
# alpr-store init: a store home made once, owner-only, its settings
# documented, its key outside it, its access log the one alpr-audit checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 37

pwfile admin 'Correct-Horse-7-Battery'
pwfile weak 'password123'

check_status 1 "a banned admin password is refused before anything is made" \
	alpr-store init --password-file "$T/weak.pw" --totp-file "$T/a.totp"
ok $([ ! -e "$H" ] && [ ! -e "$K" ]; echo $?) "... and nothing was made"

mkdir -p "$H"
check_status 3 "a key file inside the home is refused" \
	alpr-store -K "$H/inside.key" init --password-file "$T/admin.pw"
like "... saying why" "$(cat "$T/err")" "must not lie inside the store home"
rmdir "$H" 2>/dev/null

check "init makes a store" alpr-store init -a "Test Police Department" \
	-o test.example/alpr --password-file "$T/admin.pw" \
	--totp-file "$T/admin.totp"
vkey=$(cat "$T/out")
like "it prints the access log's verifier key" "$vkey" '^test\.example/alpr\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$'
check "alpr-audit verifies the store's log against that key" \
	alpr-audit -d "$H/log" verify -k "$vkey"
like "... and the log records the first account" \
	"$(entries user-change)" '"target":"admin".*"op":"add".*"role":"admin"'

check_status 1 "init refuses a home that is not empty (a refusal, not a system error)" \
	alpr-store init --password-file "$T/admin.pw"
like "... saying so" "$(cat "$T/err")" "exists and is not empty"
check_status 2 "init with no key file named anywhere is a usage error" \
	env -u ALPR_KEY_FILE alpr-store -H "$T/home-nokey" init --password-file "$T/admin.pw"
like "... saying how to give one" "$(cat "$T/err")" "no key file: give --key-file or set ALPR_KEY_FILE"
ok $([ ! -e "$T/home-nokey" ]; echo $?) "... and makes nothing"
ln -s loop "$T/loop"
check_status 3 "init where the home cannot be read is a system error, not a home made already" \
	alpr-store -H "$T/loop" init --password-file "$T/admin.pw"

modes=$(find "$H" "$K" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) | sed "s|$T/||")
is "every file of the home and the key file is 0600, every folder 0700" "$modes" ""

for s in agency agency_state purposes reason_min case_min case_days retention_days \
    retention_hit_days \
    password_min banned_passwords lockout_failures lockout_minutes \
    inactive_days session_idle_minutes session_max_hours training_days \
    key_file release_agencies hotlist_policy ingest_batch max_results \
    max_radius_m search_threads; do
	grep -q "^$s = " "$H/alpr.conf" && grep -q "^\.It Cm $s " "$top/man/alpr.conf.5"
	ok $? "alpr.conf has $s with its default, alpr.conf(5) documents it" 2>/dev/null
done | sed -n '1,200p' >"$T/settings"
n=$(grep -c '^ok' "$T/settings"); nbad=$(grep -c '^not ok' "$T/settings")
is "all 23 settings written and documented" "$n/$nbad" "23/0"
is "the agency given is in alpr.conf" "$(grep '^agency = ' "$H/alpr.conf")" "agency = Test Police Department"
names=$(grep -o '^[a-z_]* =' "$H/alpr.conf" | wc -l)
is "alpr.conf holds nothing else" "$names" 23

# the totp file: a secret and an otpauth URI an app reads
like "the admin's second factor: a base32 secret" "$(head -1 "$T/admin.totp")" '^[A-Z2-7]{32}$'
like "... and its otpauth URI" "$(sed -n 2p "$T/admin.totp")" \
	'^otpauth://totp/Test%20Police%20Department:admin\?secret=[A-Z2-7]{32}&issuer=Test%20Police%20Department&algorithm=SHA1&digits=6&period=30$'

# the key file
is "alpr.conf names the key file by its absolute path" \
	"$(grep '^key_file = ' "$H/alpr.conf")" "key_file = $K"
check_status 1 "unattended, the store opens with alpr.conf's key file" \
	env -u ALPR_KEY_FILE alpr-store whoami
like "... (and says who is not logged in)" "$(cat "$T/err")" "not logged in"
cp "$H/alpr.conf" "$T/conf.keyed"
sed -i 's|^key_file = .*|key_file =|' "$H/alpr.conf"
check_status 3 "with no key file named anywhere the store does not open" \
	env -u ALPR_KEY_FILE alpr-store whoami
like "... and says how to give one" "$(cat "$T/err")" "no key file: give --key-file, set ALPR_KEY_FILE"
cp "$T/conf.keyed" "$H/alpr.conf"
head -c 100 /dev/urandom | base64 >"$T/junk.key"
check_status 3 "a file that is not a key file is refused" \
	alpr-store -K "$T/junk.key" whoami
printf 'alpr-store key\n1\n%s\n' "$(head -c 32 /dev/urandom | base64)" >"$T/other.key"
check_status 3 "another store's key is refused..." alpr-store -K "$T/other.key" whoami
like "... by its check value, not by failing later" "$(cat "$T/err")" "not this store's key"

# alpr.conf: strict, bounded, and its changes logged
cp "$H/alpr.conf" "$T/conf.orig"
echo "lockout_failures = 10" >>"$H/alpr.conf"
check_status 3 "a lockout looser than CJIS's 5 failures is refused" alpr-store whoami
like "... naming file, line and bounds" "$(cat "$T/err")" "alpr.conf:[0-9]+: lockout_failures = 10: want a whole number from 1 to 5"
cp "$T/conf.orig" "$H/alpr.conf"; echo "retention_days = 90" >>"$H/alpr.conf"
echo "retention_hit_days = 364" >>"$H/alpr.conf"
cut0=$(date -u -d @$(($(date +%s) - 365 * 86400)) +%Y-%m-%d)
check "a retention shorter than a year: the store opens (a store set up before keeps working)" alpr-purge -n
like "... saying a year is kept, naming file and line" "$(cat "$T/err")" \
	"alpr.conf:[0-9]+: retention_days = 90: Government Code 34090.6 reads as a year at least, so 365 is kept"
like "... for reads with hits too" "$(cat "$T/err")" "alpr.conf:[0-9]+: retention_hit_days = 364: .* so 365 is kept"
cut1=$(date -u -d @$(($(date +%s) - 365 * 86400)) +%Y-%m-%d)
# a year before the purge's day: this one, or the next if midnight came
# while it ran
like "... and the purge's cut-off is a year ago" "$(cat "$T/out")" "^cut-off: ($cut0|$cut1)T"
cp "$T/conf.orig" "$H/alpr.conf"; echo "colour = blue" >>"$H/alpr.conf"
check_status 3 "an unknown setting is refused" alpr-store whoami
like "... naming file and line" "$(cat "$T/err")" "alpr.conf:[0-9]+: unknown setting 'colour'"
cp "$T/conf.orig" "$H/alpr.conf"; echo "reason_min = 40" >>"$H/alpr.conf"
alpr-store whoami >/dev/null 2>&1
like "a change of alpr.conf is written to the log when next opened" \
	"$(entries config-change)" '"old_sha256":"[0-9a-f]{64}","new_sha256":"[0-9a-f]{64}"'
done_testing
