#!/bin/sh
# Who may export, and what an export must state: a trained supervisor,
# logged in, with a case and a reason of their own (and, from a search, a
# purpose); every refusal logged with its reason; the export's log entry
# written before any file of the bundle, so that an export the log cannot
# record leaves no bundle.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 27

mkstore || { echo "Bail out! no store"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" \
	"$top/samples/frame2.jpg" >"$T/frames.ndjson" 2>/dev/null
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [10, 20, 100, 50]; print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
as sgt.moreno alpr-store hold add -C 26-0117 -R "vehicles seen at the burglary on Main St" \
	--near 38.5816,-121.4944 --radius 100 >/dev/null 2>&1
R="evidence for the court in the burglary case"
refusals() { entries export | grep -c '"outcome":"denied"'; }

check_status 1 "an analyst may not export" as jdoe alpr-export -C 26-0117 -R "$R" "$T/b"
check_status 1 "nor an auditor" as audit.kim alpr-export -C 26-0117 -R "$R" "$T/b"
check_status 1 "nor anyone not logged in" as nobody alpr-export -C 26-0117 -R "$R" "$T/b"
check_status 1 "an export without a reason is refused" as sgt.moreno alpr-export -C 26-0117 "$T/b"
like "... saying so" "$(cat "$T/err")" "no reason"
check_status 1 "an export with a thin reason is refused" as sgt.moreno alpr-export -C 26-0117 -R "official business investigation" "$T/b"
like "... saying so" "$(cat "$T/err")" "reason too thin"
check_status 1 "a case number that is none is refused" as sgt.moreno alpr-export -C none -R "$R" "$T/b"
check_status 1 "an export from a search without a purpose is refused" \
	as sgt.moreno alpr-export -C 26-0117 -R "$R" 7ABC123 "$T/b"
like "... saying so" "$(cat "$T/err")" "no purpose"
check_status 1 "a case no hold keeps is refused" as sgt.moreno alpr-export -C 26-0999 -R "$R" "$T/b"
ok $([ ! -e "$T/b" ]; echo $?) "no refused export made anything"
is "the refusals by the store's rules are logged, with their reasons" "$(refusals)" 5
like "... the thin reason among them" "$(entries export | grep '"refusal":"reason too thin')" \
	'"reason":"official business investigation"'
check_status 2 "-c is find's" as sgt.moreno alpr-export -c -C 26-0117 -R "$R" "$T/b"
check_status 2 "time alone is no search" as sgt.moreno alpr-export -C 26-0117 -R "$R" --from 2026-01-01 "$T/b"

check "a supervisor exports what a search finds, with a purpose" \
	as sgt.moreno alpr-export -P investigation -C 26-0117 -R "$R" 7ABC123 "$T/s"
like "... logged as the search it is" "$(entries export | tail -1)" \
	'"data":\{"plate":"7ABC123"\},"purpose":"investigation","case":"26-0117","reason":"evidence for the court in the burglary case","count":1'
like "... the search in the custody record" "$(tr -d ' \n' <"$T/s/CUSTODY.json")" '"search":\{"plate":"7ABC123"\}'
check_status 1 "a search that finds nothing exports nothing" \
	as sgt.moreno alpr-export -P investigation -C 26-0117 -R "$R" ZZZ9999 "$T/s2"
mkdir "$T/there"; echo keep >"$T/there/x"
check_status 1 "an export never writes over anything" as sgt.moreno alpr-export -C 26-0117 -R "$R" "$T/there"
is "... what was there stays" "$(ls "$T/there")" x

# the log first: with the access log unable to grow, there is no bundle
n=$(grep -c '"action":"export"' "$H/log/log.ndjson")
size=$(stat -c %s "$H/log/log.ndjson")
(trap '' XFSZ; ulimit -f $((size / 512)); as sgt.moreno alpr-export -C 26-0117 -R "$R" "$T/nolog") >"$T/out" 2>"$T/err"
is "an export the access log cannot record fails" "$?" 3
like "... saying so" "$(cat "$T/err")" "unable to write this access to the access log"
ok $([ ! -e "$T/nolog" ]; echo $?) "... and leaves no bundle, not even its folder"
is "... and no export in the log" "$(grep -c '"action":"export"' "$H/log/log.ndjson")" "$n"
check "with the log writable again, the export is made" as sgt.moreno alpr-export -C 26-0117 -R "$R" "$T/nolog"
done_testing
