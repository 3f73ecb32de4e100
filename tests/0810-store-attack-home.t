#!/bin/sh
# Attack: a staff member with the sudo rule builds a home of their own
# whose db and sessions are links into the real home and whose log is
# fresh, or asks the service account to make one (init), and searches
# through it: nothing reached the real access log. Now refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 6

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
read1 "$(daysago 30)T10:00:00.00Z" camA 38.58 -121.49 PARTNR1 >"$T/r.ndjson"
ingest "$T/r.ndjson" 2>/dev/null
sec scratch 'Scratch-Pass-7-qwe'
check_status 2 "init through sudo is refused" \
	svc jdoe alpr-store -H /tmp/.x$$ -K /tmp/.x$$.key init --password-file "$M/scratch.pw"
ok $([ ! -e /tmp/.x$$ ]; echo $?) "... and makes nothing"
# a home of the attacker's own making, as the attacker
att alpr-store -H "$M/own" -K "$M/own.key" init -a "Test Police Department" \
	--password-file "$M/scratch.pw" >/dev/null 2>&1
att sh -c "mkdir $M/h && cd $M/h && ln -s $H/db db && ln -s $H/sessions sessions &&
	ln -s $M/own/log log && ln -s $M/own/spool spool && cp $M/own/alpr.conf alpr.conf"
before=$(nlog)
svc jdoe alpr-store -H "$M/h" find $J -R "looking where my partner parked last night" \
	PARTNR1 >"$T/out" 2>"$T/err"
s=$?
ok $([ $s -ne 0 ]; echo $?) "a search through a home of links is refused (status $s)"
is "... showing nothing" "$(cat "$T/out")" ""
like "... saying why" "$(cat "$T/err")" "not a folder of the account running the store"
# the real home with another log put in its place, by the service itself
svc jdoe alpr-store -H "$M/own" whoami >/dev/null 2>"$T/err"
like "a home the service account does not own is refused" "$(cat "$T/err")" "not a folder of the account running the store"
rm -rf /tmp/.x$$ /tmp/.x$$.key
done_testing
