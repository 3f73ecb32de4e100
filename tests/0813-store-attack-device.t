#!/bin/sh
# Attack: a person plants reads in a camera's name through their SSH key
# or sudo. Now a device is claimed only by its own key's forced command,
# and every read says who stored it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 7

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
read1 "$(daysago 30)T23:15:00.00Z" camA 38.58 -121.49 RIVAL01 >"$T/fake.ndjson"
viassh pat.ops "add -D car1" <"$T/fake.ndjson" >"$T/out" 2>"$T/err"
ok $([ $? -ne 0 ]; echo $?) "a person is refused a device's add through their SSH key"
svc pat.ops alpr-store add -D car1 "$T/fake.ndjson" >/dev/null 2>&1
ok $([ $? -ne 0 ]; echo $?) "... and through sudo"
svc jdoe alpr-store find $J -R "$R" RIVAL01 >"$T/out" 2>/dev/null
ok $([ ! -s "$T/out" ]; echo $?) "the planted read is not found"
# the car's own key
read1 "$(daysago 30)T23:20:00.00Z" camA 38.58 -121.49 REAL001 >"$T/real.ndjson"
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" SSH_CONNECTION="192.0.2.9 1 192.0.2.1 22" \
	SSH_ORIGINAL_COMMAND="add" alpr-store --device car1 <"$T/real.ndjson" >/dev/null 2>"$T/err"
ok $? "a car's key adds through its forced command"
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" SSH_CONNECTION="192.0.2.9 1 192.0.2.1 22" \
	SSH_ORIGINAL_COMMAND="find REAL001" alpr-store --device car1 >/dev/null 2>&1
is "... and does nothing else" "$?" 2
svc jdoe alpr-store find $J -R "$R" REAL001 >"$T/out" 2>/dev/null
like "a read says who stored it, from which OS account, when" "$(cat "$T/out")" \
	'"stored":\[\{"by":"car1","client":"car1","at":"[0-9T:.Z-]+"\}\]'
like "... inside its seal, not from the caller" "$(entries add | tail -1)" '"user":"car1","os_user":'
done_testing
