#!/bin/sh
# Reads an older purge left where an add does not look for them: a purge
# before 2 December 2026 that kept some of a day's reads under a new key
# left them under their old record keys (store-poke misplace stages such
# a day), so that an add of them again stored them twice. The first purge
# of such a store puts them where an add looks, removes the second copies
# the fault made, and does it once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 18
mkstore || { echo "Bail out! no store"; exit 1; }
retention 800
day=86400
today=$(($(date +%s) / day * day))
d60=$(date -u -d @$((today - 425 * day)) +%F)
store-gen -n 40 -d 1 -t $((today - 425 * day)) -s 6 >"$T/m.ndjson"
store-gen -n 30 -d 1 -t $((today - 385 * day)) -s 7 >"$T/n.ndjson"
alpr-store add -D car1 "$T/m.ndjson" "$T/n.ndjson" 2>/dev/null
is "a day's 40 reads moved off the keys an add looks at" \
	"$(store-poke -H "$H" -K "$K" misplace "$d60")" "moved 40 reads"
check "... the store is whole" store-poke -H "$H" -K "$K" check
# the fault: added again, they are stored twice
alpr-store add -D car1 "$T/m.ndjson" 2>/dev/null
is "... added again as they are, they are stored twice" \
	"$(store-poke -H "$H" count | cut -d' ' -f2)" 110
alpr-purge -v >"$T/purge.out" 2>&1
like "the next purge checks where the reads are" "$(cat "$T/purge.out")" \
	'reads checked to be where an add finds them: 110 \(once a store\)'
like "... gives their day a new key" "$(cat "$T/purge.out")" \
	'given a new key to put their reads there: 1 days'
like "... and removes the 40 second copies" "$(cat "$T/purge.out")" \
	'second copies of reads removed: 40'
is "... the day and its copies said in the access log first" \
	"$(entries rekey | sed 's/.*"data":\({[^}]*}\).*"count":\([0-9]*\).*/\1 \2/')" \
	"{\"days\":[\"$d60\"],\"duplicate_ids\":40,\"why\":\"reads put where an add finds them\"} 80"
is "... 70 reads left" "$(store-poke -H "$H" count | cut -d' ' -f2)" 70
check "... each opens under its day's new key, every posting names a read" \
	store-poke -H "$H" -K "$K" check
check "added again then..." alpr-store add -D car1 "$T/m.ndjson" "$T/n.ndjson"
is "... they are not stored twice" "$(store-poke -H "$H" count | cut -d' ' -f2)" 70
is "... the log counts them as duplicates" \
	"$(entries add | tail -2 | grep -o '"count":[0-9]*,"duplicates":[0-9]*')" \
	"$(printf '"count":0,"duplicates":40\n"count":0,"duplicates":30')"
alpr-purge -v >"$T/purge.out" 2>&1
ok "$(grep -c 'reads checked' "$T/purge.out")" "a purge after it looks no more"
is "... and moves nothing" "$(entries rekey | grep -c .)" 1

# A day that cannot be moved (a read of it does not open) is said and
# left: the purge goes on, and the next one checks again.
store-poke -H "$H" -K "$K" misplace "$d60" >/dev/null
store-poke -H "$H" swap-reads	# the oldest day's first two reads
store-gen -n 20 -d 1 -t $((today - 565 * day)) -s 8 >"$T/old.ndjson"
alpr-store add -D car1 "$T/old.ndjson" 2>/dev/null
retention 465
alpr-purge -v >"$T/purge.out" 2>"$T/purge.err"
is "a purge with a damaged day to move purges all the same" "$?" 0
is "... the day past retention goes" "$(store-poke -H "$H" count | cut -d' ' -f2)" 70
like "... the day that does not open is said" "$(cat "$T/purge.err")" \
	'a read of day [0-9]+ does not open: its reads are not checked'
alpr-purge -v >"$T/purge.out" 2>&1
like "... and checked again by the next" "$(cat "$T/purge.out")" 'reads checked'
done_testing
