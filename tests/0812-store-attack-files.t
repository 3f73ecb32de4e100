#!/bin/sh
# Attack: every option that names a file is a file operation done as the
# service account on a path the caller chooses: a TOTP file over the
# access log, a frame written into the service account's ~/.ssh, a
# "hotlist" that is the key file. Now a caller's files must be their own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 8

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c camA "$top/samples/frame1.jpg" >"$T/f.ndjson" 2>/dev/null
chown -R $SVC "$T/spool"
perl -MJSON::PP -ne '$f = decode_json($_); $f->{type} = "read"; $f->{plate} = "PARTNR1";
	$f->{conf} = 90; $f->{box} = [1, 2, 3, 4]; print encode_json($f), "\n"' "$T/f.ndjson" >"$T/r.ndjson"
setpriv --reuid=$SVC --regid=$SVC --clear-groups env -i PATH="$PATH" \
	ALPR_DATADIR="$ALPR_DATADIR" ALPR_HOME="$H" ALPR_SPOOL="$T/spool" \
	alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
rid=$(svc jdoe alpr-store find $J -R "$R" PARTNR1 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
ok $([ -n "$rid" ]; echo $?) "(the analyst finds the read)"
cp "$H/log/log.ndjson" "$T/log.before"
# a TOTP file over the access log: at a first login, the enrolment
sec nu.first 'Newbie-Pass-4-xyz'
svc admin alpr-store user add nu -r analyst --password-file "$M/nu.first.pw" 2>/dev/null
svc sgt.moreno alpr-store user approve nu 2>/dev/null
svc nu alpr-store login -u nu --password-file "$M/nu.first.pw" \
	--totp-file "$H/log/log.ndjson" >/dev/null 2>"$T/err"
like "a file written for a caller in the service's folder is refused" "$(cat "$T/err")" "not a folder of yours"
cmp -s "$T/log.before" "$H/log/log.ndjson" || head -c "$(stat -c %s "$T/log.before")" "$H/log/log.ndjson" | cmp -s - "$T/log.before"
ok $? "... the access log is untouched"
# the frame, into the service account's ~/.ssh
install -d -o $SVC -g $SVC -m 700 "$T/srv/home" "$T/srv/home/.ssh"
svc jdoe alpr-store show $J -R "$R" -o "$T/srv/home/.ssh/authorized_keys2" "$rid" >/dev/null 2>"$T/err"
ok $([ ! -e "$T/srv/home/.ssh/authorized_keys2" ]; echo $?) "show -o writes no file into the service account's folders"
svc jdoe alpr-store show $J -R "$R" -o "$M/frame.jpg" "$rid" >/dev/null 2>"$T/err"
like "... nor into a caller's folder it may not write, saying how" "$(cat "$T/err")" "give - and redirect"
svc jdoe alpr-store show $J -R "$R" -o - "$rid" >"$M/frame.jpg" 2>"$T/err2"
cmp -s "$M/frame.jpg" "$top/samples/frame1.jpg"
ok $? "... the caller's own redirection takes the frame"
# the key file, read as a hotlist
svc jdoe alpr-store find $J -R "$R" --hotlist "$K" >"$T/out" 2>"$T/err"
like "a file of the service's, named as a hotlist, is not read" "$(cat "$T/err")" "not a file of yours"
svc jdoe alpr-store find $J -R "$R" --hotlist /proc/self/environ >/dev/null 2>"$T/err"
like "... nor one reached through a link" "$(cat "$T/err")" "not a file of yours|unable to open"
done_testing
