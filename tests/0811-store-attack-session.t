#!/bin/sh
# Attack: sessions made in another store under the same key file, or
# copied after a logout, or of another OS user, stand in for a real one.
# Now a session names its store and must be among its account's open
# sessions, and one refused is logged as a failed login.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 8

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
read1 "$(daysago 30)T10:00:00.00Z" camA 38.58 -121.49 PARTNR1 >"$T/r.ndjson"
ingest "$T/r.ndjson" 2>/dev/null
# the service account's own second store under the same key file, whose
# admin is named jdoe: its session file, put in the real store's place
sec m1 'Mallory-Pass-1-zzz'
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" alpr-store -H "$T/srv/other" -K "$K" init \
	-u jdoe -a "Test Police Department" --password-file "$M/m1.pw" \
	--totp-file "$T/srv/other.totp" >/dev/null 2>&1
cp "$T/srv/other.totp" "$M/other.totp"
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$T/srv/other" SUDO_USER=mallory \
	SUDO_UID=$ATT alpr-store login -u jdoe --password-file "$M/m1.pw" \
	-c "$(code other)" 2>/dev/null
cp "$T/srv/other/sessions/mallory" "$H/sessions/mallory"; chown $SVC "$H/sessions/mallory"
svc mallory alpr-store whoami >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ]; echo $?) "a session of another store, same key file, is no session here"
like "... saying so" "$(cat "$T/err")" "not for mallory in this store"
like "... and logged as a failed login, with the user it names and the OS user" \
	"$(entries login-failed | tail -1)" \
	'"user":"jdoe".*"target":"mallory".*"refusal":"a session file of another OS user or store"'
# a session file forged outright
printf '{"user":"jdoe","client":"mallory"}\nAAAA\n' >"$H/sessions/mallory"; chown $SVC "$H/sessions/mallory"
svc mallory alpr-store whoami >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ]; echo $?) "a forged session file is no session"
like "... logged as a failed login" "$(entries login-failed | tail -1)" \
	'"target":"mallory".*"refusal":"a session file the store did not write'
# a session copied before its logout
cp -p "$H/sessions/jdoe" "$T/saved"
svc jdoe alpr-store logout 2>/dev/null
cp -p "$T/saved" "$H/sessions/jdoe"
svc jdoe alpr-store find $J -R "$R" PARTNR1 >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ]; echo $?) "a session put back after its logout is ended"
like "... saying so" "$(cat "$T/err")" "the session was ended"
is "... showing nothing" "$(cat "$T/out")" ""
done_testing
