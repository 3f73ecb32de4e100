#!/bin/sh
# alpr-store --ssh NAME, the forced command of a staff member's SSH key:
# the command comes from SSH_ORIGINAL_COMMAND, NAME is the OS user behind
# it, and nothing before the command word can be chosen by the caller.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 45

mkstore || { echo "Bail out! no store"; exit 1; }
printf '%s\n' "$(store-gen -n 1 -d 1 -s 5)" >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
plate=$(perl -MJSON::PP -ne 'print decode_json($_)->{plate}' "$T/r.ndjson")
viassh() {	# NAME COMMAND: as sshd runs a forced command
	SSH_CONNECTION="192.0.2.7 50000 192.0.2.1 22" SSH_ORIGINAL_COMMAND=$2 \
	    alpr-store --ssh "$1"
}

check "the command asked for runs, as the OS user the key names" viassh jdoe "alpr-store whoami"
is "... in that user's session" "$(cat "$T/out")" "jdoe analyst jdoe"
check "quoted words stay whole" viassh jdoe \
	"find -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' $plate"
like "... and the search is logged with the OS user" "$(entries search | tail -1)" \
	'"reason":"silver sedan seen leaving the burglary".*"client":"jdoe"'
rid=$(perl -MJSON::PP -ne 'print decode_json($_)->{read_id}' "$T/out")
n=$(entries show | wc -l)
check_status 2 "a frame's file named through SSH is refused, the read having a frame or not" \
	viassh jdoe "show -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' -o $T/frame.jpg $rid"
is "... before anything is shown or logged" "$(cat "$T/out")-$(entries show | wc -l)-${rid:+id}" "-$n-id"
check_status 1 "another key's name gets another session (none here)" viassh someone "alpr-store whoami"
check_status 2 "options before the command are refused" viassh jdoe "-H /tmp/other whoami"
like "... saying why" "$(cat "$T/err")" "set by the forced command"
check_status 2 "--ssh outside an SSH connection is refused" \
	env SSH_ORIGINAL_COMMAND=whoami alpr-store --ssh jdoe
check_status 2 "--ssh through sudo is refused" \
	env SUDO_USER=pat.ops SSH_CONNECTION=x SSH_ORIGINAL_COMMAND=whoami alpr-store --ssh jdoe
check_status 2 "no command: refused with how to log in" viassh jdoe ""
check_status 1 "a file named through SSH is refused, the caller's own or not" \
	viassh jdoe "login -u jdoe --password-file $T/jdoe.pw"
like "... saying to give - for standard input" "$(cat "$T/err")" \
	"$T/jdoe.pw: no files through SSH: give - for standard input"

# alpr-export through the same key: alpr-store runs it, as the same person
check "an alpr-export command runs through the key" viassh sgt.moreno "alpr-export requests"
like "... as the OS user the key names" "$(entries release | tail -1)" \
	'"user":"sgt.moreno".*"op":"list".*"client":"sgt.moreno"'
check "... and prints what it prints" viassh sgt.moreno "alpr-export key"
like "... (the agency's key)" "$(cat "$T/out")" '^test-police-department\+[0-9a-f]{8}\+'
check_status 2 "the caller sets no home for alpr-export" \
	viassh sgt.moreno "alpr-export -H /tmp/other requests"
like "... saying why" "$(cat "$T/err")" "set by the forced command"
check_status 2 "... nor a key file, after the options of a search" \
	viassh sgt.moreno "alpr-export -P investigation --key-file /tmp/k -C 26-0117 -R 'silver sedan seen leaving the burglary' $plate -"
check_status 2 "... nor another name" viassh sgt.moreno "alpr-export --ssh admin requests"
check_status 1 "a bundle into a folder through SSH is refused" \
	viassh sgt.moreno "alpr-export -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' $plate $T/bundle"
ok $([ ! -e "$T/bundle" ]; echo $?) "... and nothing is made"
printf 'Sealed-For-Court-Passphrase-31\n' >"$T/pass"
check "a sealed bundle goes to standard output, its passphrase from standard input" \
	viassh sgt.moreno "alpr-export --encrypt --passphrase-file - -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' $plate -" <"$T/pass"
cp "$T/out" "$T/sealed"
check "... and opens with that passphrase" \
	alpr-export open --passphrase-file "$T/pass" "$T/sealed" "$T/opened"
like "... holding the read" "$(cat "$T/opened"/*.ndjson 2>/dev/null)" "\"plate\":\"$plate\""
check_status 2 "a bundle and its passphrase are not both read from standard input" \
	alpr-export open --passphrase-file - - "$T/opened2" <"$T/sealed"
check_status 2 "another program is not run through the key" viassh sgt.moreno "alpr-audit report"
check_status 2 "... nor its words taken for alpr-store's" viassh jdoe "alpr-audit whoami"
like "... saying which it runs" "$(cat "$T/err")" "alpr-audit: not a command this key runs"
check_status 2 "alpr-export --ssh outside an SSH connection is refused" \
	env SSH_ORIGINAL_COMMAND="alpr-export requests" alpr-export --ssh jdoe
check_status 2 "... and through sudo" env SUDO_USER=pat.ops SSH_CONNECTION=x \
	SSH_ORIGINAL_COMMAND="alpr-export requests" alpr-export --ssh jdoe
check_status 2 "... and for a command not alpr-export's" env SSH_CONNECTION=x \
	SSH_ORIGINAL_COMMAND="alpr-store find x" alpr-export --ssh jdoe
# a file's content on standard input (-), since no file is named through
# SSH: a hotlist searched, a list signed, a password
printf 'plate,list\n%s,stolen-vehicle\n' "$plate" >"$T/list.csv"
check "a hotlist searched through SSH is read from standard input (-)" \
	viassh jdoe "find -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' --hotlist -" <"$T/list.csv"
like "... and finds the read" "$(cat "$T/out")" "\"plate\":\"$plate\""
check_status 1 "a file named is refused" \
	viassh jdoe "find -P investigation -C 26-0117 -R 'silver sedan seen leaving the burglary' --hotlist $T/list.csv"
like "... saying to give -" "$(cat "$T/err")" "no files through SSH: give - for standard input"
check_status 2 "a list sent on standard input to be signed is named" \
	viassh lt.ruiz "hotlist ask -R 'stolen vehicles for the day shift' -" <"$T/list.csv"
like "... saying how" "$(cat "$T/err")" "a list on standard input is named with -n"
check "a supervisor asks for a list sent on standard input to be signed, with its name" \
	viassh lt.ruiz "hotlist ask -R 'stolen vehicles for the day shift' -n dayshift.csv -" <"$T/list.csv"
cp "$T/out" "$T/dayshift.ask"
check "another signs it, the ask sent on standard input" \
	viassh sgt.moreno "hotlist sign -R 'stolen vehicles for the day shift' -" <"$T/dayshift.ask"
like "... its signature on standard output" "$(cat "$T/out")" "^alpr hotlist signature v1"
like "... under that name, as a car names the list" "$(cat "$T/out")" "
list dayshift
"
like "... and so logged" "$(entries hotlist-sign | tail -1)" '"list":"dayshift"' 
done_testing
