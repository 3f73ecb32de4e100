#!/bin/sh
# The days' filters (lib/store/filter.c): a search passes over a day only
# when its filter says the day cannot have the term, so a filter must hold
# every index key of its day, through batches that outgrow it, a store
# made before the filters (format 1) and a purge that gives a day a new
# key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 24

mkstore || { echo "Bail out! no store"; exit 1; }
check "alpr-purge checks the filters of a store without reads, and ends" \
	timeout 60 alpr-purge
# 3,500 reads of one day 368 days ago in seven batches of 500: the day's
# filter is made for the first batch and outgrown by the later ones
retention 400
day=86400
start=$(($(date +%s) / day * day - 368 * day))
store-gen -n 3500 -d 1 -v 3500 -s 23 -t $start >"$T/all.ndjson"
split -l 500 -d "$T/all.ndjson" "$T/part."
for f in "$T"/part.0[0-5]; do
	alpr-store add -D car1 "$f" >/dev/null 2>&1 || echo "add $f failed" >>"$T/adds"
done
is "six batches of one day stored" "$(cat "$T/adds" 2>/dev/null)$(store-poke -H "$H" count | cut -d' ' -f2)" 3000
like "the day has a filter" "$(store-poke -H "$H" count)" ' filters 1$'
check "every index key passes its day's filter" store-poke -H "$H" -K "$K" check

plate_of() {	# file line
	sed -n "${2}p" "$1" | perl -MJSON::PP -ne 'print decode_json($_)->{plate}'
}
finds() {	# plate: how many reads a search finds with that plate or
		# that candidate
	sfind jdoe "$1" 2>/dev/null | grep -c "\"plate\":\"$1\""
}
found=0
for i in 1 50 100 250 499; do
	p=$(plate_of "$T/part.00" $i)
	[ "$(finds "$p")" -ge 1 ] && found=$((found + 1))
done
is "plates of the first batch are found after the filter was outgrown" "$found" 5
check_status 1 "a plate never read is not found" sfind jdoe 0QQQ000

# a small batch (a live pipeline's few reads) deletes its day's filter
# rather than rewrite it; the day is searched in its index until
# alpr-purge, run by cron, builds its filter again
store-gen -n 10 -d 1 -v 3500 -s 41 -t $start >"$T/small.ndjson"
alpr-store add -D car1 "$T/small.ndjson" >/dev/null 2>&1
like "a batch of ten reads leaves its day without a filter" "$(store-poke -H "$H" count)" ' filters 0$'
ok $([ "$(finds "$(plate_of "$T/small.ndjson" 4)")" -ge 1 ] && [ "$(finds "$(plate_of "$T/part.00" 9)")" -ge 1 ]; echo $?) \
	"... and its reads and the earlier ones are found"
check "alpr-purge, with nothing past the retention..." alpr-purge
like "... builds the day's filter" "$(store-poke -H "$H" count)" ' filters 1$'
check "... which has every key of the day" store-poke -H "$H" -K "$K" check

# a program of format 1 still adding reads after the upgrade leaves a
# filter without their keys; alpr-purge checks every key of every day's
# index against its filter and builds again one that lacks any
day=$(date -u -d @$start +%Y-%m-%d)
store-poke -H "$H" clear-filter "$day"
p9=$(plate_of "$T/part.00" 9)
is "a filter without the day's keys hides its reads" "$(finds "$p9")" 0
check "alpr-purge..." alpr-purge
ok $([ "$(finds "$p9")" -ge 1 ]; echo $?) "... builds it again: the reads are found"
check "... with every key of the day" store-poke -H "$H" -K "$K" check

# a store of format 1: no filters; opened, it becomes format 2 and its
# day is searched in its index until an ingest builds the day a filter
# from the whole index, not from that batch alone
check "the store made format 1, as before the filters" store-poke -H "$H" format1
p0=$(plate_of "$T/part.00" 7)
ok $([ "$(finds "$p0")" -ge 1 ]; echo $?) "a read of a format 1 store is found"
alpr-store add -D car1 "$T/part.06" >/dev/null 2>&1
check "a batch into the day builds its filter from the whole index" \
	store-poke -H "$H" -K "$K" check
ok $([ "$(finds "$p0")" -ge 1 ]; echo $?) "... so a read stored before it is still found"
p6=$(plate_of "$T/part.06" 3)
ok $([ "$(finds "$p6")" -ge 1 ]; echo $?) "... and a read of the batch"

# a purge that gives the day a new key indexes its reads again under it,
# and builds its filter anew: without that, every search would pass over
# the day. Reads with hits are kept 372 days, the others 365.
retention 365 372
alpr-purge >"$T/purge.out" 2>&1
hit=$(grep -m1 '"hits"' "$T/all.ndjson" | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')
nohit=$(grep -v '"hits"' "$T/part.00" | head -1 | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')
is "the purge kept the reads with hits alone" \
	"$(store-poke -H "$H" count | cut -d' ' -f2)" "$(grep -c '"hits"' "$T/all.ndjson")"
ok $([ -n "$hit" ] && [ "$(finds "$hit")" -ge 1 ]; echo $?) \
	"a read with hits is found under the day's new key"
check "every index key passes the new filter" store-poke -H "$H" -K "$K" check
is "a read without hits is gone" "$(finds "$nohit")" 0
