#!/bin/sh
# Attacks on the accounts: one admin alone reaching the reads; logins
# started together to outrun the lockout; an unknown account told apart
# from a wrong password; training recorded for 75 years.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 9

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
read1 "$(daysago 30)T10:00:00.00Z" camA 38.58 -121.49 PARTNR1 >"$T/r.ndjson"
ingest "$T/r.ndjson" 2>/dev/null
A() { svc admin alpr-store "$@"; }
sec temp.sup.first 'Temp-Super-Pass-1'
sec temp.ana.first 'Temp-Analy-Pass-2'
A user add temp.sup -r supervisor --password-file "$M/temp.sup.first.pw" >/dev/null 2>&1
A user add temp.ana -r analyst --password-file "$M/temp.ana.first.pw" >/dev/null 2>&1
A user disable sgt.moreno -R "leave of absence" 2>/dev/null
A user approve temp.sup >/dev/null 2>&1
s=$?
A user enable sgt.moreno 2>/dev/null
ok $([ $s -ne 0 ]; echo $?) "an admin approves no supervisor once the store has had one"
# the disable ended sgt.moreno's session: he logs in again
loginas sgt.moreno "now + 30 seconds" >/dev/null 2>&1
# the admin tries the first login of an account she made, approved
svc sgt.moreno alpr-store user approve temp.ana >/dev/null 2>&1
svc admin alpr-store login -u temp.ana --password-file "$M/temp.ana.first.pw" \
	--totp-file - >"$M/x.totp" 2>"$T/err"
ok $([ ! -s "$M/x.totp" ]; echo $?) "an admin cannot enrol the second factor of an account she made"
svc temp.ana alpr-store login -u temp.ana --password-file "$M/temp.ana.first.pw" \
	--totp-file - >"$M/x.totp" 2>/dev/null
ok $(grep -q '^otpauth://totp/' "$M/x.totp"; echo $?) "... its owner, from her own OS account, can"
A user passwd jdoe --password-file "$M/temp.ana.first.pw" >/dev/null 2>&1
svc admin alpr-store login -u jdoe --password-file "$M/temp.ana.first.pw" -c "$(code jdoe "now + 30 seconds")" >/dev/null 2>&1
ok $([ $? -ne 0 ]; echo $?) "a password an admin resets does not log her in as its account"
svc admin alpr-store find $J -R "$R" PARTNR1 >"$T/out" 2>/dev/null
ok $(! grep -q PARTNR1 "$T/out"; echo $?) "the admin alone never reaches the reads"
# a dozen logins at once against pat.ops
i=0
while [ $i -lt 12 ]; do
	printf 'Guess-Number-%02d-xx\n' $i >"$M/g$i"; chown $ATT "$M/g$i"
	svc mallory alpr-store login -u pat.ops --password-file "$M/g$i" -c 123456 >/dev/null 2>&1 &
	i=$((i + 1))
done
wait
n=$(entries login-failed | grep '"user":"pat.ops"' | grep -c 'wrong password')
ok $([ "$n" -le 5 ]; echo $?) "logins started together try no more than lockout_failures passwords ($n)"
svc mallory alpr-store login -u nosuch --password-file "$M/jdoe.pw" -c 123456 >/dev/null 2>"$T/e1"
svc mallory alpr-store login -u audit.kim --password-file "$M/jdoe.pw" -c 123456 >/dev/null 2>"$T/e2"
is "an unknown account and a wrong password read the same" \
	"$(sed 's/nosuch/X/' "$T/e1")" "$(sed 's/audit.kim/X/' "$T/e2")"
svc sgt.moreno alpr-store user train pat.ops -c 2026-01-05 -e 2099-12-31 >/dev/null 2>&1
ok $([ $? -ne 0 ]; echo $?) "no training is recorded for longer than three years"
svc sgt.moreno alpr-store user train audit.kim >/dev/null 2>&1
ok $? "(a supervisor records training as ever)"
done_testing
