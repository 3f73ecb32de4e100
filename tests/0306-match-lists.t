#!/bin/sh
# alpr-match: hotlists as agencies get them: without a header (--columns),
# with dates as spreadsheets write them; loaded again on SIGHUP; quiet
# under cron with -q.
. "$(dirname "$0")/lib.sh"
plan 29
cd "$T" || exit 1
printf '%s\n' '{"type":"read","v":1,"plate":"7ABC123"}' \
	'{"type":"read","v":1,"plate":"5XYZ999"}' >reads
# hits: entry, category and state of each hit
hits() { grep -o '"entry":"[^"]*","category":"[^"]*"\(,"state":"[^"]*"\)\?' out | tr '\n' ' '; }

# Without a header (Genetec AutoVu style)
printf '7ABC123;CA;stolen\r\n5XYZ999;NV;wanted\r\n' >autovu.txt
check_status 1 "a list without a header, without --columns" alpr-match -l autovu.txt reads
like "says the first line was taken as the header" "$(cat err)" \
	"autovu.txt:1: the first line, 7ABC123;CA;stolen, was taken as the header, and it names no plate column .*: name the columns of a list without a header with --columns"
check "--columns plate,state,category" \
	alpr-match --columns plate,state,category -l autovu.txt reads
is "every line is an entry" "$(hits)" \
	'"entry":"7ABC123","category":"stolen","state":"CA" "entry":"5XYZ999","category":"wanted","state":"NV" '
like "counted" "$(cat err)" "autovu.txt: 2 entries loaded, 0 rejected"
like "its lines numbered from the first" "$(sed -n 2p out)" '"line":2,'
printf '7ABC123;CA;stolen\n5XYZ999;NV\n' >short.txt
check_status 1 "a line with fewer fields" alpr-match --columns plate,state,category -l short.txt reads
like "is named against --columns" "$(cat err)" "short.txt:2: 2 fields, --columns names 3"
check_status 1 "--columns with no plate" alpr-match --columns state,category -l autovu.txt reads
like "is refused" "$(cat err)" "autovu.txt: --columns state,category names no plate column"
printf 'plate,category\n5XYZ999,wanted\n' >head.csv
check "--columns applies to the lists after it; empty ends it" \
	alpr-match -l head.csv --columns plate,state,category -l autovu.txt --columns= -l head.csv reads
like "three lists" "$(grep -c 'entries loaded' err)" "^3$"
check_status 2 "--columns after the last -l" alpr-match -l head.csv --columns plate reads

# Dates as spreadsheets write them
cat >dates.csv <<'L'
plate,category,effective,expires
7ABC123,a,1/5/2020,1/5/2099
7ABC123,b,2020-01-05 08:30,2099-12-31 23:59
7ABC123,c,,12/31/2099 11:59 PM
7ABC123,d,2020/1/5,2021-06-30 23:59
7ABC123,e,,2099-13-01
7ABC123,f,,1/5/99
L
check_status 1 "dates with times, without leading zeros, AM/PM" alpr-match -e -l dates.csv reads
is "the live ones hit" "$(grep -o '"category":"[a-z]"' out | tr '\n' ' ')" \
	'"category":"a" "category":"b" "category":"c" '
like "an expired one is counted" "$(cat err)" "dates.csv: 3 entries loaded, 2 rejected, 1 expired"
like "a month 13 is refused" "$(cat err)" "dates.csv:6: bad expiry date '2099-13-01'"
like "a year of two digits too" "$(cat err)" "dates.csv:7: bad expiry date '1/5/99'"

# -q: nothing on stderr when all is well; problems still said
check "-q" alpr-match -q -l head.csv reads
is "is quiet" "$(cat err)" ""
check_status 1 "-q with a bad line" alpr-match -q -l short.txt --columns plate,state,category -l autovu.txt reads
like "still says what is wrong" "$(cat err)" "short.txt:1: the first line"

# SIGHUP: the lists again, without a restart
printf 'plate,category\n7ABC123,stolen-vehicle\n' >live.csv
mkfifo fifo
sleep 60 >fifo &
holder=$!
alpr-match -l live.csv <fifo >live.out 2>live.err &
pid=$!
exec 3>fifo
wait_for() {	# FILE REGEX: until FILE matches, 10 s at most
	i=0
	while [ $i -lt 100 ] && ! grep -Eq "$2" "$1"; do sleep 0.1; i=$((i + 1)); done
}
sed -n 2p reads >&3
wait_for live.out 5XYZ999
is "before: no hit" "$(grep -c hits live.out)" 0
printf 'plate,category\n5XYZ999,wanted\n' >live.csv
kill -HUP $pid
wait_for live.err "loaded again"
like "SIGHUP loads the lists again" "$(cat live.err)" \
	"SIGHUP: loading the hotlists again.*
.*live.csv: 1 entries loaded.*
alpr-match: hotlists loaded again: 1 in use"
sed -n 2p reads >&3
wait_for live.out '"hits"'
like "after: the new list hits" "$(tail -1 live.out)" '"entry":"5XYZ999"'
rm live.csv
kill -HUP $pid
wait_for live.err "stay in use"
like "a reload that loads nothing keeps the lists" "$(cat live.err)" \
	"alpr-match: no hotlist loaded: the hotlists loaded before stay in use"
sed -n 2p reads >&3
i=0
while [ $i -lt 100 ] && [ "$(grep -c hits live.out)" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
is "and they still hit" "$(grep -c hits live.out)" 2
ok "$(kill -0 $pid; echo $?)" "still running"
exec 3>&-
kill $holder 2>/dev/null
wait $pid
is "exit 3: the list could not be read" "$?" 3
wait
done_testing
