#!/bin/sh
# A live alpr-store add while alpr-purge runs: the purge gives the key file
# a new key, and the add, meeting a day it has not opened yet, reads the
# key file again and goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 10
mkstore || { echo "Bail out! no store"; exit 1; }
retention 800
day=86400
today=$(($(date +%s) / day * day))
store-gen -n 50 -d 1 -t $((today - 465 * day)) -s 1 >"$T/old.ndjson"
store-gen -n 50 -d 1 -t $((today - 375 * day)) -s 2 >"$T/b1.ndjson"
store-gen -n 50 -d 1 -t $((today - 370 * day)) -s 3 >"$T/a.ndjson"
store-gen -n 50 -d 1 -t $((today - 375 * day)) -s 4 >"$T/b2.ndjson"
alpr-store add -D car1 "$T/old.ndjson" "$T/b1.ndjson" 2>/dev/null
n0=$(store-poke -H "$H" count | cut -d' ' -f2)
# the live add: reads of one day now, of another after the purge
mkfifo "$T/fifo"
alpr-store add -D car1 <"$T/fifo" 2>"$T/add.err" & pid=$!
exec 7>"$T/fifo"
cat "$T/a.ndjson" >&7
sleep 2
# a purge of the oldest day, which gives the key file a new key
retention 395
alpr-purge >/dev/null 2>&1
cat "$T/b2.ndjson" >&7
exec 7>&-
wait $pid
is "a live add across a purge that gives the key file a new key finishes" "$?" 0
is "... every read it was given is stored (the purged day's gone)" \
	"$(store-poke -H "$H" count | cut -d' ' -f2)" $((n0 - 50 + 100))
is "... without a word about the key" "$(cat "$T/add.err")" ""
check "... and each read opens and is indexed" store-poke -H "$H" -K "$K" check

# A purge that keeps a day's reads with hits gives the day a new key and
# stores them again under it: added again, they are found stored, not
# stored twice.
retention 800
store-gen -n 300 -d 1 -t $((today - 485 * day)) -s 5 >"$T/r.ndjson"
grep '"hits"' "$T/r.ndjson" >"$T/hits.ndjson"
nh=$(grep -c . "$T/hits.ndjson")
alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
n0=$(store-poke -H "$H" count | cut -d' ' -f2)
retention 395 800
alpr-purge >"$T/purge.out" 2>&1
is "a purge keeps a day's $nh reads with hits of its 300" \
	"$(store-poke -H "$H" count | cut -d' ' -f2)" $((n0 - 300 + nh))
like "... under a new key" "$(entries purge | tail -1)" '"days_rekeyed":1'
check "the reads with hits added again..." alpr-store add -D car1 "$T/hits.ndjson"
is "... are not stored twice" "$(store-poke -H "$H" count | cut -d' ' -f2)" $((n0 - 300 + nh))
like "... the log counts them as duplicates" "$(entries add | tail -1)" "\"count\":0,\"duplicates\":$nh"
check "... each opens under its day's new key, every posting names a read" \
	store-poke -H "$H" -K "$K" check
done_testing
