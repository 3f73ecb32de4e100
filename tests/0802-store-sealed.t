#!/bin/sh
# Sealed at rest: no plate, position or frame byte stands in any file of
# the store home, the capture spool, or a copy of the database; sealed
# values cannot be moved or altered unseen; a destroyed day key leaves
# nothing to open or to test a guessed plate against.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
command -v mdb_copy >/dev/null || skip_all "mdb_copy not installed (lmdb-utils, from scripts/deps)"
plan 16

mkstore || { echo "Bail out! no store"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" \
	"$top/samples/frame2.jpg" "$top/samples/frame3.jpg" >"$T/frames.ndjson" 2>/dev/null
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402", "KDW4417");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [10, 20, 100, 50];
	$f->{candidates} = [{ plate => $p[$. - 1], conf => 90 },
	    { plate => "Q" . substr($p[$. - 1], 1), conf => 50 }];
	$f->{hits} = [{ list => "stolen", entry => $p[$. - 1],
	    category => "stolen-vehicle", match => "exact" }] if $. == 2;
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/reads.ndjson"
store-gen -n 2000 -d 2 -s 3 >>"$T/reads.ndjson"
check "reads with frames and positions are added" alpr-store add -D car1 "$T/reads.ndjson"
mkdir "$T/copy"
check "mdb_copy copies the environment" mdb_copy "$H/db" "$T/copy"

# What must not be found: every plate and candidate of the reads, every
# position as written (with three decimals or more: a shorter one such as
# 38.5 stands in the log's times, 09:41:38.52Z), and 64 bytes from the
# middle of each frame.
perl -MJSON::PP -ne '
	my $r = decode_json($_); print "$r->{plate}\n";
	print "$_->{plate}\n" for @{$r->{candidates} || []};
	printf "%s\n", $r->{lat} if defined $r->{lat};
	printf "%s\n", $r->{lon} if defined $r->{lon};
' "$T/reads.ndjson" | sort -u | grep -E '^([A-Z0-9]{5,}|-?[0-9]+\.[0-9]{3,})$' >"$T/needles"
# 64 bytes of each frame, from where they hold no newline or NUL, raw
for f in 1 2 3; do
	perl -e 'local $/; open my $f, "<:raw", shift; my $d = <$f>;
		for (my $o = 4000; $o < length $d; $o += 97) {
			my $c = substr $d, $o, 64;
			if ($c !~ /[\n\0]/) { print $c, "\n"; last }
		}' "$top/samples/frame$f.jpg"
done >>"$T/needles"
n=$(wc -l <"$T/needles")
ok $([ "$n" -gt 2000 ]; echo $?) "there are plates, candidates, positions and frame bytes to look for ($n)"
search() {	# files...: those that hold a needle (grep -F: Aho-Corasick)
	LC_ALL=C grep -aFl -f "$T/needles" "$@"
}
# the needles do stand in the plain files (the search works)
like "the search finds the needles in the plain input and frames" \
	"$(search "$T/reads.ndjson" "$top/samples/frame2.jpg" | wc -l)" "^2$"
found=$(search $(find "$H" "$T/spool" "$T/copy" -type f))
is "no plate, candidate, position or frame bytes in the home, the capture spool or the copy" "$found" ""
found=$(find "$H" "$T/copy" -type f | xargs grep -l "cam9" 2>/dev/null)
is "nor the camera's name" "$found" ""
# a thief without the key reads the index as it is: a read's value in one
# posting list must not be its value in another, or the lists would link
# the sightings of one plate (its bigrams, cells and cameras)
like "no posting value is in two lists" "$(store-poke -H "$H" links)" \
	"^postings [0-9]{5,} in more than one list 0$"

# the log holds what the law wants of each batch, and no read's data
like "the add entries say who, how many and from where" "$(entries add | head -1)" \
	'"user":"car1".*"count":2003'

# Attacks on the sealed data
check "before any tampering every read opens" store-poke -H "$H" -K "$K" check
db=$(readlink -f "$H/db")
mkdir "$T/before"; cp -a "$db" "$T/before/db"; cp -a "$H/spool" "$T/before/"
store-poke -H "$H" swap-reads
check_status 1 "two sealed reads swapped between keys do not open" store-poke -H "$H" -K "$K" check
rm -rf "$db" "$H/spool"; cp -a "$T/before/db" "$db"; cp -a "$T/before/spool" "$H/"

rid=$(sfind jdoe 8XYZ402 | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
frames=$(find "$H/spool" -type f | sort)
set -- $frames
cp "$1" "$T/f1"; cp "$2" "$1"; cp "$3" "$2"; cp "$T/f1" "$3"
check_status 3 "sealed frames renamed among themselves do not open" sshow jdoe -o "$T/x.jpg" "$rid"
like "... and show says so" "$(cat "$T/err")" "does not open: damaged or tampered with"
rm -rf "$H/spool"; cp -a "$T/before/spool" "$H/"
f=$(find "$H/spool" -type f | head -1)
perl -e 'open my $f, "+<", shift; seek $f, 900, 0; read $f, my $c, 1; seek $f, 900, 0; print $f chr(ord($c) ^ 1)' "$f"
store-poke -H "$H" -K "$K" check >/dev/null
bad=0 i=0
for r in $(sfind jdoe --near 38.5816,-121.4944 --radius 100 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}, "\n"'); do
	i=$((i + 1))
	sshow jdoe -o "$T/y$i.jpg" "$r" >/dev/null 2>&1 || bad=$((bad + 1))
done
is "a frame with one bit flipped does not open (one of three)" "$bad" 1
rm -rf "$H/spool"; cp -a "$T/before/spool" "$H/"

# a day's wrapped key is bound to its day: yesterday's put in today's
# place does not open as today's key (a kept day's key standing in for
# one a purge will destroy would keep that day's reads openable)
now=$(date +%s)
cp -a "$H/db" "$T/db.before"
store-poke -H "$H" copy-daykey "$(date -u -d @$((now - 86400)) +%Y-%m-%d)" "$(date -u -d @$now +%Y-%m-%d)"
check_status 1 "a day's key moved to another day..." store-poke -H "$H" -K "$K" check
like "... does not open there" "$(cat "$T/err")" "the key of day $((now / 86400)) does not open"
rm -rf "$H/db"; mv "$T/db.before" "$H/db"

# crypto-shredding: the key of 8XYZ402's day (its frame's) gone
store-poke -H "$H" drop-daykey "$(sed -n 2p "$T/frames.ndjson" | perl -MJSON::PP -ne 'print substr(decode_json($_)->{ts}, 0, 10)')"
check_status 1 "with its day key destroyed, a read of that day is found no more" sfind jdoe 8XYZ402
done_testing
