#!/bin/sh
# alpr-audit show and report: what an auditor reads each week.
. "$(dirname "$0")/lib.sh"
plan 25
L=$T/log
TZ=UTC; export TZ
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
log() {	# TIME USER JSON-MEMBERS
	at "$1"
	echo "{\"type\":\"access\",\"v\":1,$3}" | ALPR_USER=$2 alpr-audit -d "$L" append
}
at 2026-04-06T08:00:00.00Z
alpr-audit -d "$L" init -o example.gov/log -w 604800 -O "Example PD" -r analyst >"$T/pub" 2>/dev/null
log 2026-04-06T10:00:00.00Z alice '"action":"search","plate":"7ABC123","purpose":"investigation","case":"26-1","reason":"stolen vehicle report 26-1"'
log 2026-04-06T10:05:00.00Z alice '"action":"search","data":{"plate":"7ABC123"},"purpose":"investigation","case":"26-2","reason":"burglary follow-up 26-2"'
log 2026-04-06T23:30:00.00Z alice '"action":"search","plate":"7abc123","purpose":"patrol","case":"26-3","reason":"check"'
log 2026-04-07T11:00:00.00Z bob '"action":"search","plate":"5XYZ999","purpose":"investigation","case":"26-9","reason":"amber alert 26-9 suspect vehicle"'
log 2026-04-07T11:01:00.00Z bob '"action":"login-failed","outcome":"denied"'
log 2026-04-07T11:02:00.00Z bob '"action":"login-failed","outcome":"denied"'
log 2026-04-07T11:03:00.00Z bob '"action":"lockout","outcome":"locked"'
log 2026-04-08T09:00:00.00Z admin '"action":"user-change","target":"carol","reason":"new analyst account"'
log 2026-04-08T09:30:00.00Z admin '"action":"purge","count":1200,"reason":"retention period of 60 days"'
log 2026-04-08T09:40:00.00Z admin '"action":"release","case":"26-9","reason":"court order 26-9 to the district attorney"'
at 2026-04-09T10:00:00.00Z

ALPR_USER=auditor check "show by user" alpr-audit -d "$L" show -u alice -R "weekly review"
is "finds alice's three searches" "$(grep -c '"user":"alice"' "$T/out") $(wc -l <"$T/out")" "3 3"
like "the reading is logged first, with the filters and reason" "$(tail -1 "$L/log.ndjson")" \
	'"user":"auditor",.*"action":"log-read","purpose":"audit","data":\["-u","alice","-R","weekly review"\],"reason":"weekly review"'
check "show by plate ignores case and finds data.plate" alpr-audit -d "$L" show -p 7ABC123
is "three entries" "$(wc -l <"$T/out")" 3
check "show by action and case" alpr-audit -d "$L" show -a release -c 26-9
like "the release" "$(cat "$T/out")" '"action":"release","case":"26-9"'
check "show by time" alpr-audit -d "$L" show -s 2026-04-07 -e 2026-04-07T11:02:00Z
is "entries in [since, until)" "$(sed 's/.*"seq":\([0-9]*\),.*/\1/' "$T/out" | tr '\n' ' ')" "3 4 "
check_status 1 "show that finds nothing" alpr-audit -d "$L" show -u nobody
check_status 2 "a bad time is a usage error" alpr-audit -d "$L" show -s yesterday
like "saying what it wants" "$(cat "$T/err")" "bad time: want YYYY-MM-DD"

check "report since a date" alpr-audit -d "$L" report -s 2026-04-06
cp "$T/out" "$T/table"
like "searches per user and purpose" "$(cat "$T/table")" "alice +investigation +2"
like "a plate searched under several cases" "$(cat "$T/table")" \
	"alice +7ABC123 +3 searches, cases: 26-1 26-2 26-3  <- across cases"
like "unusual hours" "$(grep -A1 'unusual hours' "$T/table")" "2 2026-04-06T23:30:00.00Z alice +search +7abc123"
like "thin reasons" "$(grep -A1 'thin reasons' "$T/table")" '2 2026-04-06T23:30:00.00Z alice +search +7abc123 +26-3 +"check"$'
like "failed logins and lockouts" "$(grep -A3 'failed logins' "$T/table" | tail -1)" "6 2026-04-07T11:03:00.00Z bob +lockout"

check "report -j" alpr-audit -d "$L" report -j
is "findings by kind" "$(sed 's/.*"kind":"\([a-z-]*\)".*/\1/' "$T/out" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" \
	" 1 account-change  3 login-failed  1 plate-across-cases  2 release  3 searches  1 thin-reason  1 unusual-hour "
like "plate across cases, with the seqs" "$(grep plate-across-cases "$T/out")" \
	'"user":"alice","plate":"7ABC123","count":3,"cases":\{"26-1":1,"26-2":1,"26-3":1\},"seqs":\[0,1,2\]'
like "every finding is a record" "$(head -1 "$T/out")" '^\{"type":"audit-finding","v":1,'
check "the log with its log-read entries verifies" alpr-audit -d "$L" verify -k "$T/pub"
check_status 3 "a report that cannot be written exits 3" \
	sh -c "alpr-audit -d '$L' report >/dev/full"
like "saying so" "$(cat "$T/err")" "unable to write <stdout>: No space left on device"
done_testing
