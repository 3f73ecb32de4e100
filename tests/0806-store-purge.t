#!/bin/sh
# Evidence holds and alpr-purge: reads past their retention go, with their
# index, frames and day keys; reads with hits may stay longer; held reads
# stay whatever happens; a copy of the home from before the purge opens
# nothing purged with any key that exists after it; built for cron.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
command -v flock >/dev/null || skip_all "flock (util-linux) not installed"
plan 47

mkstore || { echo "Bail out! no store"; exit 1; }
for c in 25-0042 25-0043 25-0044; do
	opencase $c sgt.moreno || { echo "Bail out! case $c not opened"; exit 1; }
done
# a store that keeps 400 days, so that 380 days of reads go in
retention 400
day=86400
today=$(($(date +%s) / day * day))
store-gen -n 19000 -d 380 -t $((today - 380 * day)) -s 4 >"$T/reads.ndjson"
# two frames on a day 380 days ago, two today
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 "$top/samples/frame1.jpg" "$top/samples/frame2.jpg" \
	"$top/samples/frame3.jpg" "$top/samples/frame4.jpg" >"$T/frames.ndjson" 2>/dev/null
START=$((today - 380 * day)) perl -MJSON::PP -MPOSIX=strftime -ne '
	my $f = decode_json($_); my $t = $ENV{START} + 3600 + $.;
	if ($. <= 2) {
		my $ts = strftime("%Y-%m-%dT%H:%M:%S.00Z", gmtime $t);
		(my $c = $ts) =~ s/[-:]//g; $f->{ts} = $ts;
		$f->{id} =~ s/^[^-]+/$c/;
	}
	$f->{type} = "read"; $f->{plate} = "FRM00$."; $f->{conf} = 90;
	$f->{box} = [1, 2, 3, 4]; $f->{candidates} = [{ plate => "FRM00$.", conf => 90 }];
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >>"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
total=$(store-poke -H "$H" count | cut -d' ' -f2)
is "19004 reads over 380 days are stored" "$total" 19004
ok $([ "$(find "$H/spool" -type f | wc -l)" = 4 ]; echo $?) "... with 4 frames"

# holds: only a supervisor places or releases one
old=$(sed -n 3p "$T/reads.ndjson" | perl -MJSON::PP -ne '$r = decode_json($_); print "$r->{id}/$r->{box}[0],$r->{box}[1]"')
check_status 1 "an analyst may not place a hold" as jdoe alpr-store hold add \
	-C 25-0042 -R "vehicle used in the armed robbery on Oak St" --id "$old"
check_status 1 "a hold needs a case and a reason of its own" as sgt.moreno alpr-store hold add \
	-C 25-0042 -R investigation --id "$old"
check "a supervisor holds an old read by its id" as sgt.moreno alpr-store hold add \
	-C 25-0042 -R "vehicle used in the armed robbery on Oak St" --id "$old"
hold1=$(cut -d' ' -f1 "$T/out")
check "... and the old frames by a search" as sgt.moreno alpr-store hold add \
	-C 25-0043 -R "frames of the cars at the fuel station robbery" 'FRM00*' --to "$(date -u -d @$((today - 300 * day)) +%Y-%m-%d)"
like "... which holds the two old reads" "$(cat "$T/out")" '^H2 2$'
check "a third hold, to be released" as sgt.moreno alpr-store hold add \
	-C 25-0044 -R "a read that turned out to be unrelated to the case" --id "$old"
check_status 1 "a hold is not released without a reason" as sgt.moreno alpr-store hold release H3
like "... and says so" "$(cat "$T/err")" "released with a reason"
check_status 1 "... nor with a thin one" as sgt.moreno alpr-store hold release -R "closed" H3
check "a supervisor releases it" as sgt.moreno alpr-store hold release -R "not needed after all" H3
check_status 1 "... once" as sgt.moreno alpr-store hold release -R "not needed after all" H3
like "holds are listed" "$(as audit.kim alpr-store hold list | tr '\n' ' ')" 'H1 +25-0042 +active +1 +sgt.moreno.*H3 +25-0044 +released +1'
like "the log has each hold placed and released" "$(entries hold | grep -c '"op":"add"\|"op":"release"')" '^4$'

# the purge's rules: 365 days, 372 for reads with hits; the days kept
# are counted as of today, so the count and the purges below are made on
# the same day
clear_of_midnight 300
retention 365 372
perl -MJSON::PP -ne '
	BEGIN { $now = time } my $r = decode_json($_);
	my ($y, $m, $d) = $r->{ts} =~ /^(\d+)-(\d+)-(\d+)/;
	use Time::Local; my $end = timegm(0, 0, 0, $d, $m - 1, $y) + 86400;
	my $hit = $r->{hits} && @{$r->{hits}};
	$keep++ if $end > $now - 365 * 86400 || ($hit && $end > $now - 372 * 86400);
	$hitkept++ if $hit && $end <= $now - 365 * 86400 && $end > $now - 372 * 86400;
	END { print "$keep $hitkept\n" }
' "$T/reads.ndjson" >"$T/expect"
set -- $(cat "$T/expect")
want=$1 hitkept=$2
ok $([ "$hitkept" -gt 0 ]; echo $?) "there are reads with hits between 365 and 372 days old ($hitkept)"

check "alpr-purge -n says what would go" alpr-purge -n
like "... the reads and days" "$(cat "$T/out")" "would purge: $((total - want)) reads of [0-9]+ days \\([0-9]+ days kept in part: $hitkept reads with hits kept\\)"
like "... and what holds keep" "$(cat "$T/out")" "kept by evidence holds: 3 reads"
is "... and removes nothing" "$(store-poke -H "$H" count | cut -d' ' -f2)" "$total"

# before the purge: a copy of the home and its key file
cp -a "$H" "$T/copy"
cp "$K" "$T/old.key"
flock "$H/purge.lock" sleep 3 &
sleep 1
check_status 1 "a purge while another runs is refused" alpr-purge
like "... saying so" "$(cat "$T/err")" "another purge"
wait
check_status 1 "--before later than the retention is refused" alpr-purge --before "$(date -u +%Y-%m-%d)"
check "alpr-purge, as cron runs it" alpr-purge
is "... says nothing on success" "$(cat "$T/out" "$T/err")" ""
is "the reads past retention are gone, those with hits kept 7 days longer" \
	"$(store-poke -H "$H" count | cut -d' ' -f2)" "$want"
check "every read left opens, every posting names one, every held read opens" \
	store-poke -H "$H" -K "$K" check
like "... the three held copies among them" "$(cat "$T/out")" " 3 held$"
is "the frames of the purged day are unlinked" "$(find "$H/spool" -path '*/held/*' -prune -o -type f -print | wc -l)" 2
is "the held frames stay" "$(find "$H/spool/held" -type f | wc -l)" 2
hitplate=$(perl -MJSON::PP -ne 'BEGIN { $now = time } my $r = decode_json($_); my ($y,$m,$d) = $r->{ts} =~ /^(\d+)-(\d+)-(\d+)/; use Time::Local; my $end = timegm(0,0,0,$d,$m-1,$y)+86400; if ($r->{hits} && $end <= $now - 365*86400 && $end > $now - 372*86400) { print "$r->{plate}\n"; exit }' "$T/reads.ndjson")
like "a read with a hit on a day kept in part is still found, by its new index" \
	"$(sfind jdoe "$hitplate" 2>/dev/null)" "\"plate\":\"$hitplate\""
like "the purge's log entry: cut-off, counts, kept by hold" "$(entries purge)" \
	"\"data\":\\{\"cut_off\":\"[0-9T:.Z-]+\",\"cut_off_hits\":\"[0-9T:.Z-]+\",\"days\":[0-9]+,\"days_rekeyed\":[1-7],\"kept_for_hits\":$hitkept,\"kept_by_hold\":3,\"retention_days\":365\\}.*\"count\":$((total - want))"
ok $([ -L "$H/db" ] && [ "$(readlink "$H/db")" = db.1 ] && [ ! -d "$H/db.0" ]; echo $?) \
	"the environment was compacted into db.1, db.0 removed"

# the copy from before: useless for the purged days
ok $(cmp -s "$K" "$T/old.key"; [ $? = 1 ]; echo $?) "the key file has a new key"
ls "$(dirname "$K")" >"$T/keydir"
is "... and no other beside it" "$(grep -c store.key "$T/keydir")" 1
check_status 3 "the old copy does not open with the new key file" \
	alpr-store -H "$T/copy" -K "$K" whoami
check "with the new store's day keys, no read of a purged day in the old copy opens" \
	store-poke -H "$H" -K "$K" cross "$T/copy/db"
like "... (the days kept open, none of the others)" "$(cat "$T/out")" \
	"^days gone: 0 of [1-9][0-9]* reads open; days kept: [0-9]+ of [0-9]+ reads open$"
check "sessions survive the new key" as jdoe alpr-store whoami

# a purge cut short between its transaction and the key file's rename
mv "$K" "$K.next"
cp "$T/old.key" "$K"
check "a store whose key change a crash cut short opens with the new key" as jdoe alpr-store whoami
like "... finishing the change" "$(cat "$T/err")" "finished a change of keys"
ok $(cmp -s "$K" "$T/old.key"; [ $? = 1 ] && [ ! -e "$K.next" ]; echo $?) "... the new key in place"
check "a second purge finds nothing to do" alpr-purge -v

# a released hold keeps nothing: its copies of the reads and frames go
check "the hold of the old frames is released" as sgt.moreno alpr-store hold release \
	-R "the fuel station case is closed" H2
is "... and its copies of the frames are gone from the spool" "$(find "$H/spool/held" -type f | wc -l)" 0
check "... and of the reads (one held copy left, H1's)" store-poke -H "$H" -K "$K" check
like "... as check counts them" "$(cat "$T/out")" " 1 held$"
done_testing
