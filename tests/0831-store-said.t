#!/bin/sh
# What the store says to the one at the terminal, as its pages say it:
# each thing once, and the exit status they give.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 3
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
done_testing
