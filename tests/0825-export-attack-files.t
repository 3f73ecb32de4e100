#!/bin/sh
# Attack: alpr-export run through sudo writes as the service account, to a
# path the caller names: a bundle into the service's own folders, a sealed
# file beside the access log, the key file read as a passphrase, verify
# and open made to read and write as the service. Now a bundle goes only
# into a new folder or file in a folder of the caller's, or to standard
# output sealed; verify and open run only as the caller.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 14

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c camA --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" >"$T/f.ndjson" 2>/dev/null
chown -R $SVC "$T/spool"
perl -MJSON::PP -ne '$f = decode_json($_); $f->{type} = "read"; $f->{plate} = "PARTNR1";
	$f->{conf} = 90; $f->{box} = [1, 2, 3, 4]; print encode_json($f), "\n"' "$T/f.ndjson" >"$T/r.ndjson"
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" ALPR_SPOOL="$T/spool" \
	alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
svc sgt.moreno alpr-store hold add -C 26-0117 -R "$R" PARTNR1 >/dev/null 2>&1
svc sgt.moreno alpr-export key >"$M/agency.vkey" 2>/dev/null
like "(the case has a hold, the agency a key)" "$(cat "$M/agency.vkey")" '^test-police-department\+'
X="-C 26-0117 -R evidence_for_the_court_in_the_burglary_case"
sec pass 'Evidence-Locker-Passphrase-2026'
n=$(nlog)

install -d -o $SVC -g $SVC -m 700 "$T/srv/home" "$T/srv/home/.ssh"
svc sgt.moreno alpr-export $X "$T/srv/home/.ssh/b" >/dev/null 2>"$T/err"
is "a bundle into the service's folders is refused" "$?" 1
ok $([ ! -e "$T/srv/home/.ssh/b" ]; echo $?) "... nothing is made there"
like "... saying why" "$(cat "$T/err")" "not a folder of yours"
like "... and the refusal is logged" "$(entries export | tail -1)" '"outcome":"denied","refusal":"unable to make [^"]*/b: Operation not permitted"'
svc sgt.moreno alpr-export --encrypt --passphrase-file "$M/pass.pw" $X "$H/log/bundle" >/dev/null 2>"$T/err"
ok $([ $? = 1 ] && [ ! -e "$H/log/bundle" ]; echo $?) "a sealed file beside the access log is refused"
svc sgt.moreno alpr-export $X "$M/b" >/dev/null 2>"$T/err"
like "a bundle into a folder of the caller's the service may not write is refused, saying how" \
	"$(cat "$T/err")" "give - and redirect"
svc sgt.moreno alpr-export --encrypt --passphrase-file "$K" $X - >"$M/x.alprx" 2>"$T/err"
like "the key file as a passphrase file is not read" "$(cat "$T/err")" "not a file of yours"
svc sgt.moreno alpr-export --encrypt --passphrase-file "$M/pass.pw" $X - >"$M/case.alprx" 2>"$T/err"
is "a sealed bundle to the caller's own redirection is made" "$?" 0
att alpr-export open --passphrase-file "$M/pass.pw" "$M/case.alprx" "$M/opened" 2>"$T/err"
is "... and the caller opens it as themselves" "$?" 0
att alpr-export verify -k "$M/agency.vkey" "$M/opened" >"$T/out" 2>"$T/err"
like "... into a bundle that verifies" "$(cat "$T/out")" "good: .* case 26-0117, 1 reads"
check_status 2 "verify is not run as the service" svc sgt.moreno alpr-export verify -k "$K" "$H"
check_status 2 "nor open" svc sgt.moreno alpr-export open --passphrase-file "$M/pass.pw" "$M/case.alprx" "$T/srv/home/o"
ok $([ ! -e "$T/srv/home/o" ]; echo $?) "... which makes nothing"
done_testing
