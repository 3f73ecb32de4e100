#!/bin/sh
# A purge killed half-way (tests/preload/die.so) leaves its work owed: the
# next run, though nothing else is past its retention, gives the key file
# a new key and compacts the store, so that a copy of the home taken
# before opens none of the days that went; so does a run whose compaction
# the store's writers kept off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
command -v flock >/dev/null || skip_all "flock (util-linux) not installed"
die=$top/tests/preload/die.so
[ -f "$die" ] || skip_all "tests/preload/die.so not built"
export ASAN_OPTIONS=verify_asan_link_order=0
plan 37

mkstore || { echo "Bail out! no store"; exit 1; }
K=$ALPR_KEY_FILE
retention 400
day=86400
today=$(($(date +%s) / day * day))
store-gen -n 3000 -d 380 -t $((today - 380 * day)) -s 7 >"$T/reads.ndjson"
# two frames on the youngest day past its retention, the purge's last
export ALPR_SPOOL=$T/spool
alpr-capture -c cam9 "$top/samples/frame1.jpg" "$top/samples/frame2.jpg" \
	>"$T/frames.ndjson" 2>/dev/null
START=$((today - 375 * day)) perl -MJSON::PP -MPOSIX=strftime -ne '
	my $f = decode_json($_);
	my $ts = strftime("%Y-%m-%dT%H:%M:%S.00Z", gmtime($ENV{START} + 3600 * $.));
	(my $c = $ts) =~ s/[-:]//g; $f->{ts} = $ts; $f->{id} =~ s/^[^-]+/$c/;
	$f->{type} = "read"; $f->{plate} = "FRM00$."; $f->{conf} = 90;
	$f->{box} = [1, 2, 3, 4];
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >>"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
total=$(store-poke -H "$H" count | cut -d' ' -f2)
ok $([ "$total" -gt 2000 ] && [ "$(find "$H/spool" -type f | wc -l)" = 2 ]; echo $?) \
	"$total reads over 380 days are stored, with 2 frames"
retention 374
cp -a "$H" "$T/copy"
cp "$K" "$T/key.0"

# killed as it marks its work owed, after its log entry: nothing is
# removed yet
LD_PRELOAD=$die ALPR_TEST_DIE=open:purge.owed alpr-purge >"$T/out" 2>"$T/err"
is "a purge killed as it marks its work owed" $? 137
ok $([ "$(store-poke -H "$H" count | cut -d' ' -f2)" = "$total" ] && cmp -s "$K" "$T/key.0" &&
	[ ! -e "$H/purge.owed" ]; echo $?) "... has removed nothing and changed no key"

# killed as it removes the last purged day's frames: every day's
# transaction is committed, the key file not yet changed
LD_PRELOAD=$die ALPR_TEST_DIE=remove:/spool/ alpr-purge >"$T/out" 2>"$T/err"
is "the purge is killed half-way" $? 137
left=$(store-poke -H "$H" count | cut -d' ' -f2)
ok $([ "$left" -lt "$total" ] && [ "$left" -gt $((total * 9 / 10)) ]; echo $?) \
	"... after the days went ($left of $total left)"
ok $(cmp -s "$K" "$T/key.0"; echo $?) "... the key file unchanged"
ok $([ -e "$H/purge.owed" ]; echo $?) "... and the work owed marked"
is "... the environment not compacted" "$(readlink "$H/db")" db.0

check "a dry run says what is owed" alpr-purge -n
like "... saying so" "$(cat "$T/out")" "owed by an earlier purge cut short: a new key file and a compaction"
ok $(cmp -s "$K" "$T/key.0" && [ -e "$H/purge.owed" ]; echo $?) "... and does none of it"
check "the next purge runs" alpr-purge
like "... said in the access log first" "$(grep '"action":"purge"' "$H/log/log.ndjson" | tail -1)" \
	'"data":\{"finishing":"the new key file and the compaction an earlier purge owed"\}'
ok $(cmp -s "$K" "$T/key.0"; [ $? = 1 ]; echo $?) "... the key file has a new key"
is "... the store is compacted" "$(readlink "$H/db")" db.1
ok $([ ! -e "$H/purge.owed" ]; echo $?) "... nothing is owed"
check "with the new store's day keys, no read of a purged day in the old copy opens" \
	store-poke -H "$H" -K "$K" cross "$T/copy/db"
like "... (the days kept open, none of the others)" "$(cat "$T/out")" \
	"^days gone: 0 of [1-9][0-9]* reads open; days kept: [0-9]+ of [0-9]+ reads open$"
check_status 3 "the old copy does not open with the new key file" \
	alpr-store -H "$T/copy" -K "$K" whoami

# a compaction the store's writers keep off is owed too
retention 372
flock -s "$H/lock" sleep 6 &
sleep 0.5
alpr-purge -w 1 >"$T/out" 2>"$T/err"
is "a purge whose compaction the writers keep off fails" $? 1
like "... saying so" "$(cat "$T/err")" "compaction not done: the store has been busy"
ok $([ -e "$H/purge.owed" ] && [ "$(readlink "$H/db")" = db.1 ]; echo $?) "... and owes it"
wait
check "the next purge, nothing past its retention" alpr-purge
is "... compacts" "$(readlink "$H/db")" db.2
ok $([ ! -e "$H/purge.owed" ]; echo $?) "... and owes nothing"

# killed as it puts the new key file in place (the next open finishes
# that): the compaction is owed
retention 370
cp "$K" "$T/key.1"
LD_PRELOAD=$die ALPR_TEST_DIE=rename:store.key alpr-purge >"$T/out" 2>"$T/err"
is "a purge killed as it renames the new key file" $? 137
check "the store opens, finishing the change of keys" loginas jdoe "now + 30 seconds"
like "... and says so" "$(cat "$T/err")" "finished a change of keys"
ok $(cmp -s "$K" "$T/key.1"; [ $? = 1 ]; echo $?) "... with the new key"
is "... not compacted yet" "$(readlink "$H/db")" db.2
check "the next purge, nothing past its retention" alpr-purge
is "... compacts" "$(readlink "$H/db")" db.3

# killed as it removes the environment it compacted from: the link has
# moved, the old folder stays, holding what was purged; the next purge
# removes it, and any other a crash left
retention 368
LD_PRELOAD=$die ALPR_TEST_DIE=remove:/db.3/ alpr-purge >"$T/out" 2>"$T/err"
is "a purge killed as it removes the old environment" $? 137
is "... the link moved, the old folder left" "$(readlink "$H/db") $(cd "$H" && echo db.[0-9]*)" "db.4 db.3 db.4"
check "the next purge, nothing past its retention" alpr-purge
is "... leaves no environment but the one in use" "$(readlink "$H/db") $(cd "$H" && echo db.[0-9]*)" "db.5 db.5"
ok $([ ! -e "$H/purge.owed" ]; echo $?) "... and owes nothing"
