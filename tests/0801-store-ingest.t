#!/bin/sh
# alpr-store add: each read kept once, bad records reported and the rest
# kept, frames sealed and their plain copies gone, a device that may only
# add, a map that grows, a kill -9 that loses and duplicates nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 64

export ALPR_STORE_MAPSIZE=1048576	# a 1 MiB map, to see it grow
mkstore || { echo "Bail out! no store"; exit 1; }

store-gen -n 3000 -d 3 -s 7 >"$T/reads.ndjson"
# five bad lines among them, at lines 2, 5, 9, 14 and 20
perl -pe '
	if ($. == 2) { $_ = "{\"type\":\"read\",\"v\":1,\n" }
	if ($. == 5) { $_ = "{\"type\":\"frame\",\"v\":1,\"id\":\"x\"}\n" }
	if ($. == 9) { s/"plate":"[A-Z0-9]+",// }
	if ($. == 14) { s/"id":"\d{4}/"id":"1999/ }
	if ($. == 20) { s/"lon":[-0-9.]+,// }
' "$T/reads.ndjson" >"$T/mixed.ndjson"

check_status 1 "a device adds reads; five bad lines make the status 1" \
	alpr-store add -D car1 "$T/mixed.ndjson"
err=$(cat "$T/err")
like "a line that is not JSON is named by file and line" "$err" "mixed.ndjson:2: bad JSON"
like "a frame record is refused: the store keeps reads" "$err" "mixed.ndjson:5: a frame record, not a read"
like "a read without a plate is refused" "$err" "mixed.ndjson:9: no \"plate\""
like "an id that does not begin with the read's time is refused" "$err" "mixed.ndjson:14: \"id\" does not begin"
like "a latitude without a longitude is refused" "$err" "mixed.ndjson:20: \"lat\" and \"lon\""
is "... and nothing else was said" "$(grep -c . "$T/err")" 5
is "the other 2995 reads are stored" "$(store-poke -H "$H" count | cut -d' ' -f2)" 2995
check "every stored read opens under its day's key, every posting names a read" \
	store-poke -H "$H" -K "$K" check
like "the map grew past its first megabyte" "$(du -k "$H/db/data.mdb" | cut -f1)" '^[0-9]{4,}$'

check_status 1 "adding the same file again..." alpr-store add -D car1 "$T/mixed.ndjson"
is "... stores nothing twice" "$(store-poke -H "$H" count | cut -d' ' -f2)" 2995
last=$(entries add | tail -1)
like "... and the log says so: 0 added, 2995 duplicates" "$last" '"count":0,"duplicates":2995'
like "each batch's entry names the device, its role and the input" \
	"$(entries add | head -1)" '"user":"car1".*"role":"device".*"source":\["[^"]*mixed.ndjson"\]'

# stored reads and new ones of the same days, in time order (6000 lines:
# a batch looked up on two cores): the stored ones found and counted, the
# new ones, among them the five whose bad copies were refused, added
store-gen -n 3000 -d 3 -s 8 | sort -m -t'"' -k10,10 - "$T/reads.ndjson" >"$T/again.ndjson"
check "stored and new reads, mixed in time, are added" alpr-store add -D car1 "$T/again.ndjson"
is "... the new ones stored, the others not again" "$(store-poke -H "$H" count | cut -d' ' -f2)" 6000
like "... the log counts 3005 added, 2995 duplicates" \
	"$(entries add | tail -1)" '"count":3005,"duplicates":2995'
check "... every read opens and every posting names a read" \
	store-poke -H "$H" -K "$K" check
plate=$(store-gen -n 3000 -d 3 -s 8 | sed -n 1234p | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')
like "... a new one is found by its plate" "$(sfind jdoe "$plate")" "\"plate\":\"$plate\""

# a stored read sent again with other content is refused by file and line,
# and what is stored stays as it was
sed -n 100,102p "$T/reads.ndjson" | perl -pe 's/"plate":"[A-Z0-9]+"/"plate":"ZZ9ZZ99"/ if $. == 2' >"$T/changed.ndjson"
id=$(sed -n 2p "$T/changed.ndjson" | perl -MJSON::PP -ne 'print decode_json($_)->{id}')
was=$(sed -n 101p "$T/reads.ndjson" | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')
check_status 1 "a stored read with other content..." alpr-store add -D car1 "$T/changed.ndjson"
like "... is named by file and line" "$(cat "$T/err")" "changed.ndjson:2: $id.* is stored already, with other content: not changed"
is "... alone" "$(grep -c . "$T/err")" 1
like "... the log counts it" "$(entries add | tail -1)" '"count":0,"duplicates":3,"changed":1'
is "... nothing is stored under the new plate" "$(sfind jdoe ZZ9ZZ99 | grep -c .)" 0
like "... the old one stands" "$(sfind jdoe "$was")" "\"id\":\"$id\""

# frames: sealed into the store, the capture copy gone
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 "$top/samples/frame1.jpg" "$top/samples/frame2.jpg" >"$T/frames.ndjson" 2>/dev/null
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [10, 20, 100, 50];
	$f->{candidates} = [{ plate => $p[$. - 1], conf => 90 }];
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/withframes.ndjson"
nspool=$(find "$T/spool" -type f | wc -l)
is "the capture spool holds the two frames" "$nspool" 2
(cd "$T" && tar cf spool.tar spool)
check "reads with frames are added" alpr-store add -D car1 "$T/withframes.ndjson"
is "their plain copies are gone from the capture spool" "$(find "$T/spool" -type f | wc -l)" 0
is "two sealed frames are in the store's spool" "$(find "$H/spool" -type f | wc -l)" 2
# a crash after the commit, before the plain copies were removed: the
# add run again finds the reads stored and removes the copies
(cd "$T" && tar xf spool.tar)
is "(the plain copies put back)" "$(find "$T/spool" -type f | wc -l)" 2
check "the same reads added again" alpr-store add -D car1 "$T/withframes.ndjson"
is "... their plain copies are gone again" "$(find "$T/spool" -type f | wc -l)" 0
is "... the store's spool is as it was" "$(find "$H/spool" -type f | wc -l)" 2
like "... and the log counts two duplicates" "$(entries add | tail -1)" '"count":0,"duplicates":2'

rid=$(sfind jdoe 7ABC123 | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
sshow jdoe -o "$T/frame1.jpg" "$rid" >/dev/null 2>&1
ok $(cmp -s "$T/frame1.jpg" "$top/samples/frame1.jpg"; echo $?) "show gives back the frame byte for byte"

# who may add
check_status 1 "a device account is not used through sudo" \
	as pat.ops alpr-store add -D car1 "$T/withframes.ndjson"
check_status 1 "adding without a session or a device is refused" \
	alpr-store add "$T/withframes.ndjson"
check_status 1 "an analyst may not add" as jdoe alpr-store add "$T/withframes.ndjson"
like "... and says why" "$(cat "$T/err")" "the role analyst may not"
check "an admin, logged in, may" as admin alpr-store add "$T/withframes.ndjson"
as admin alpr-store user add cam2 -r device >/dev/null 2>&1
check_status 1 "a device not yet approved may not add" \
	alpr-store add -D cam2 "$T/withframes.ndjson"
check_status 1 "a device does not log in" \
	alpr-store login -u car1 --password-file "$T/admin.pw" -c 000000

# kill -9 in the middle of an ingest, and searches during it
store-gen -n 400000 -d 15 -s 9 >"$T/big.ndjson"
before=$(store-poke -H "$H" count | cut -d' ' -f2)
alpr-store add -D car1 "$T/big.ndjson" 2>/dev/null &
pid=$!
i=0
while [ "$(store-poke -H "$H" count | cut -d' ' -f2)" = "$before" ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
plate=$(store-gen -p 5)
sfind jdoe "$plate" >/dev/null 2>&1
s=$?
kill -0 $pid 2>/dev/null
running=$?
ok $([ $s -le 1 ]; echo $?) "a search runs while the ingest writes (status $s)"
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
ok $running "... the ingest was still running then"
mid=$(store-poke -H "$H" count | cut -d' ' -f2)
ok $([ "$mid" -gt "$before" ] && [ "$mid" -lt $((before + 400000)) ]; echo $?) \
	"killed half-way: some batches stored, not all ($((mid - before)))"
check "after kill -9 the store opens and every read in it is whole" \
	store-poke -H "$H" -K "$K" check
check "the access log verifies" alpr-audit -d "$H/log" verify -k "$(cat "$T/vkey")"
nadd=$(entries add | wc -l)
check "the same add, run again, finishes" alpr-store add -D car1 "$T/big.ndjson"
is "... with every read once" "$(store-poke -H "$H" count | cut -d' ' -f2)" $((before + 400000))
is "... counting the ones stored before the kill as duplicates" \
	"$(entries add | tail -n +$((nadd + 1)) | perl -MJSON::PP -ne '$d += decode_json($_)->{duplicates}; END { print $d }')" \
	"$((mid - before))"
# 3000 reads of one centisecond (a device with a stuck clock), and a
# record longer than 60 KiB among them; 30 days back, inside the
# retention whatever the day
cs=$(daysago 30)T10:00:00.00Z
CS=$cs perl -e '$p = "x" x 70000; ($c = $ENV{CS}) =~ tr/:-//d; for (1..3000) { printf "{\"type\":\"read\",\"v\":1,\"id\":\"%s-0123456789ab-camA\",\"ts\":\"%s\",\"plate\":\"CS%04d\",\"conf\":90,\"box\":[%d,2,3,4]%s}\n", $c, $ENV{CS}, $_, $_, $_ == 1500 ? ",\"note\":\"$p\"" : "" }' >"$T/cs.ndjson"
before=$(store-poke -H "$H" count | cut -d' ' -f2)
check_status 1 "3000 reads of one centisecond, one of them of 70 KB" alpr-store add -D car1 "$T/cs.ndjson"
like "... the long one is named by file and line" "$(cat "$T/err")" "cs.ndjson:1500: a read record longer than 60 KiB"
is "... the other 2999 are stored" "$(store-poke -H "$H" count | cut -d' ' -f2)" $((before + 2999))
# some 70 of them find their key's serial taken by another: sealed and
# indexed again under their own
check "... each opens under its own key and is indexed under it" \
	store-poke -H "$H" -K "$K" check
alpr-store add -D car1 "$T/cs.ndjson" 2>/dev/null
is "... once" "$(store-poke -H "$H" count | cut -d' ' -f2)" $((before + 2999))
# the word "stored" as a value, or a member of an inner object, is not
# the record's own "stored" (who stored it before)
store-gen -n 1 -d 1 -s 31 | perl -pe 's/}$/,"note":"stored","extra":{"stored":"x"}}/' >"$T/word.ndjson"
check "a read whose note says \"stored\" is added" alpr-store add -D car1 "$T/word.ndjson"
# a "stored" member that is not a list of who stored it, its name spelt
# out or escaped, is refused
store-gen -n 2 -d 1 -s 32 | perl -pe '$k = $. == 1 ? "stored" : "st\\u006fred";
	s/}$/,"$k":"x"}/' >"$T/notlist.ndjson"
check_status 1 "a read whose \"stored\" is no list is refused..." \
	alpr-store add -D car1 "$T/notlist.ndjson"
is "... by file and line, escaped name or not" "$(grep -c 'notlist.ndjson:[12]: "stored" is not an array' "$T/err")" 2
plate=$(perl -MJSON::PP -ne 'print decode_json($_)->{plate}' "$T/word.ndjson")
like "... kept as it came, with one \"stored\" entry of its own" \
	"$(sfind jdoe "$plate" | grep '"note":"stored"')" \
	'"extra":\{"stored":"x"\}.*"stored":\[\{"by":"car1","client":"[^"]*","at":"[^"]*"\}\],"read_id":"[^"]*"\}$'
# two ingests at once into four days new to the store, in batches of 300:
# each makes the keys of the days it meets first; the first stored is the
# day's, and the other ingest indexes its reads of that day again under it
sed -i 's/^#* *ingest_batch = .*/ingest_batch = 300/' "$H/alpr.conf"
t0=$(( ($(date +%s) / 86400 - 40) * 86400 ))
store-gen -n 6000 -d 4 -t $t0 -s 21 >"$T/a.ndjson"
store-gen -n 6000 -d 4 -t $t0 -s 22 >"$T/b.ndjson"
before=$(store-poke -H "$H" count | cut -d' ' -f2)
days0=$(store-poke -H "$H" count | sed 's/.*days \([0-9]*\).*/\1/')
alpr-store add -D car1 "$T/a.ndjson" 2>"$T/a.err" & pa=$!
alpr-store add -D car1 "$T/b.ndjson" 2>"$T/b.err" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
is "two ingests at once into new days: both finish" "$ra $rb" "0 0"
is "... every read of both stored" "$(store-poke -H "$H" count | cut -d' ' -f2)" $((before + 12000))
is "... four days added" "$(store-poke -H "$H" count | sed 's/.*days \([0-9]*\).*/\1/')" $((days0 + 4))
check "... each read opens and is indexed under its day's key" \
	store-poke -H "$H" -K "$K" check
check "the postings' cipher is the one of every store made before" store-poke feistel 20000
done_testing
