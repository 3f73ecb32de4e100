#!/bin/sh
# Long work shows its progress on a terminal and says nothing under cron:
# capture, ingest, purge and verification each run once on a terminal (a
# pseudo-terminal from script(1)) and once without one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
command -v script >/dev/null || skip_all "script(1) not installed (util-linux)"
plan 12

# on_tty FILE CMD: run the shell command CMD with a terminal for its
# standard error; what the terminal showed goes to FILE, CRs kept.
on_tty() {
	script -qec "$2" "$1" >/dev/null 2>&1
}

mkstore || { echo "Bail out! no store"; exit 1; }
# a store that keeps 420 days, for 400 days of reads; then 365, to purge
sed -i 's/^retention_\(hit_\)*days = .*/retention_\1days = 420/' "$H/alpr.conf"
day=86400
today=$(( $(date +%s) / day * day ))
store-gen -n 4000 -d 400 -t $((today - 399 * day)) -s 3 >"$T/reads.ndjson"
head -2000 "$T/reads.ndjson" >"$T/half.ndjson"

on_tty "$T/ts" "alpr-store add -D car1 '$T/half.ndjson' >'$T/out'"
like "alpr-store add on a terminal counts what it added" "$(tr '\r' '\n' <"$T/ts")" \
	'alpr-store: 2000 reads added, 0 duplicates, 0 rejected \([0-9]+ reads/s\)'
is "... and ends its line" "$(perl -ne 'print "ended\n" if /reads\/s\)\r\n\z/' "$T/ts")" ended
check "alpr-store add without a terminal..." alpr-store add -D car1 "$T/reads.ndjson"
is "... says nothing" "$(cat "$T/err")" ""

sed -i 's/^retention_\(hit_\)*days = .*/retention_\1days = 365/' "$H/alpr.conf"
on_tty "$T/ts" "alpr-purge >'$T/out'"
like "alpr-purge on a terminal counts the days it went through" \
	"$(tr '\r' '\n' <"$T/ts" | grep 'alpr-purge: [0-9]* of' | tail -1)" 'alpr-purge: ([0-9]+) of \1 days$'
like "... and the days whose filters it checked" \
	"$(tr '\r' '\n' <"$T/ts" | grep 'alpr-purge: filters' | tail -1)" 'alpr-purge: filters: [1-9][0-9]* days checked, 0 to build$'
check "alpr-purge without a terminal (nothing left to purge)..." alpr-purge
is "... says nothing" "$(cat "$T/out" "$T/err")" ""

on_tty "$T/ts" "alpr-audit -d '$H/log' verify -k \"\$(cat '$T/vkey')\" >'$T/out'"
like "alpr-audit verify on a terminal counts the entries" "$(tr '\r' '\n' <"$T/ts")" \
	'alpr-audit: verified [0-9]+ entries'

(cd "$T" && capture-mkimage -x 1 64 48 a.jpg && capture-mkimage -x 2 64 48 b.png)
on_tty "$T/ts" "alpr-capture -S '$T/spool' '$T/a.jpg' '$T/b.png' >'$T/out'"
like "alpr-capture on a terminal counts its frames" "$(tr '\r' '\n' <"$T/ts")" \
	'alpr-capture: 2 frames'
check "alpr-capture without a terminal..." alpr-capture -S "$T/spool" "$T/a.jpg" "$T/b.png"
is "... says nothing" "$(cat "$T/err")" ""
