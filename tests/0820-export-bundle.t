#!/bin/sh
# alpr-export: a case's held reads as an evidence bundle, its files three
# ways, frames and plate crops, the custody record and the signed
# manifest, which the receiving agency checks with the agency's public key
# alone: one byte changed in any file, a file added or removed, the
# manifest edited, or a signature by another key: each caught and named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
command -v ogrinfo >/dev/null || skip_all "ogrinfo not installed (gdal-bin, from scripts/deps)"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import PIL' 2>/dev/null ||
	skip_all "Debian's python3-pil not installed (scripts/deps)"
plan 37

mkstore || { echo "Bail out! no store"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" \
	"$top/samples/frame2.jpg" "$top/samples/frame3.jpg" "$top/samples/frame4.jpg" \
	>"$T/frames.ndjson" 2>/dev/null
# four reads with frames, each box a different part of its frame, the
# last one partly outside it; a fifth without a frame or a position
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402", "KDW4417", "4PQR567");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [[10, 20, 100, 50], [200, 150, 64, 33], [600, 400, 90, 45],
	    [1240, 690, 100, 50]]->[$. - 1];
	$f->{hits} = [{ list => "stolen", entry => "8XYZ402",
	    category => "stolen-vehicle", match => "exact" }] if $. == 2;
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/reads.ndjson"
hour=$(date -u +%Y-%m-%dT%H:00:00.00Z)	# its id and time of one reading
printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam2","ts":"%s","camera":"cam2","plate":"NOFRM01","conf":80,"box":[5,6,7,8]}\n' \
	"$(echo "$hour" | tr -d :-)" "$hour" >>"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
as sgt.moreno alpr-store hold add -C 26-0117 -R "vehicles seen at the burglary on Main St" \
	--near 38.5816,-121.4944 --radius 100 >/dev/null 2>&1
rid4=$(sfind jdoe NOFRM01 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
as sgt.moreno alpr-store hold add -C 26-0117 -R "the car seen again on the highway ramp" --id "$rid4" >/dev/null 2>&1
# a read two holds of the case keep
rid1=$(sfind jdoe 7ABC123 2>/dev/null | perl -MJSON::PP -ne 'print decode_json($_)->{read_id}')
as sgt.moreno alpr-store hold add -C 26-0117 -R "the grey sedan again, for the second count" --id "$rid1" >/dev/null 2>&1

B=$T/bundle
check "a supervisor exports the held reads of a case" \
	as sgt.moreno alpr-export -C 26-0117 -R "evidence for the court in the burglary case" "$B"
is "... quietly" "$(cat "$T/out" "$T/err")" ""
as sgt.moreno alpr-export key >"$T/agency.vkey" 2>/dev/null
like "the agency's verifier key is printed" "$(cat "$T/agency.vkey")" '^test-police-department\+[0-9a-f]{8}\+'
is "the bundle's files" "$(cd "$B" && find . -type f | sed 's|^\./||; s|/.*|/|' | sort | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" \
	"1 CUSTODY.json 1 MANIFEST 1 MANIFEST.sig 4 crops/ 4 frames/ 1 reads.csv 1 reads.geojson 1 reads.ndjson "

# the reads three ways
is "reads.ndjson: the five reads, each once though two holds keep one" "$(wc -l <"$B/reads.ndjson")" 5
ok $(perl -MJSON::PP -ne '$r = decode_json($_); exit 1 unless $r->{read_id} && $r->{type} eq "read"' "$B/reads.ndjson"; echo $?) \
	"... each a read record with its read_id"
perl -MJSON::PP -ne '$r = decode_json($_); print "$r->{read_id}\n"' "$B/reads.ndjson" | sort >"$T/rids"
is "reads.csv: a header and one row per read" "$(wc -l <"$B/reads.csv")" 6
/usr/bin/python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in sorted(rows, key=lambda r: r["read_id"]): print(r["read_id"])
' "$B/reads.csv" >"$T/csv.rids"
same "... the same reads, by read_id" "$T/rids" "$T/csv.rids"
like "... with plate, position and hits" "$(grep 8XYZ402 "$B/reads.csv")" \
	',cam9,8XYZ402,90.0,38.581572,-121.494400,stolen-vehicle,'
/usr/bin/python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
assert g["type"] == "FeatureCollection"
for f in g["features"]:
	assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
	lon, lat = f["geometry"]["coordinates"]
	assert -122 < lon < -121 and 38 < lat < 39, (lon, lat)
	print(f["properties"]["plate"], f["properties"]["frame_file"])
' "$B/reads.geojson" >"$T/geo" 2>"$T/geo.err"
ok $? "reads.geojson is GeoJSON: a FeatureCollection of Points, longitude first"
is "... the four reads with a position" "$(cut -d' ' -f1 "$T/geo" | sort | tr '\n' ' ')" "4PQR567 7ABC123 8XYZ402 KDW4417 "
ogrinfo -ro -al -so "$B/reads.geojson" >"$T/ogr" 2>&1
like "ogrinfo opens it" "$(cat "$T/ogr")" 'Feature Count: 4'
like "... with its fields" "$(cat "$T/ogr")" 'plate: String'

# frames and crops
bad=0
for r in $(perl -MJSON::PP -ne '$r = decode_json($_); print "$r->{frame_file}\n" if $r->{frame_file}' "$B/reads.ndjson"); do
	n=0
	for f in "$top"/samples/frame[1234].jpg; do cmp -s "$f" "$B/$r" && n=$((n + 1)); done
	[ $n = 1 ] || bad=$((bad + 1))
done
is "each frame is its sample frame, byte for byte" "$bad" 0
perl -MJSON::PP -ne '$r = decode_json($_); print join(" ", $r->{frame_file}, $r->{crop_file}, @{$r->{box}}), "\n" if $r->{crop_file}' \
	"$B/reads.ndjson" >"$T/crops"
/usr/bin/python3 -c '
import sys
from PIL import Image, ImageChops
bad = 0
for line in open(sys.argv[1]):
	frame, crop, x, y, w, h = line.split()
	x, y, w, h = int(x), int(y), int(w), int(h)
	c = Image.open(sys.argv[2] + "/" + crop)
	f = Image.open(sys.argv[2] + "/" + frame).convert("RGB")
	w, h = min(x + w, f.size[0]) - x, min(y + h, f.size[1]) - y
	region = f.crop((x, y, x + w, y + h))
	if c.format != "PNG" or c.size != (w, h):
		print("# %s: %s %s, want PNG %dx%d" % (crop, c.format, c.size, w, h)); bad = 1; continue
	d = max(hi for lo, hi in ImageChops.difference(c.convert("RGB"), region).getextrema())
	if d > 8: print("# %s: differs from the box by %d" % (crop, d)); bad = 1
sys.exit(bad)
' "$T/crops" "$B"
ok $? "each crop is a PNG of the plate's box in its frame (clipped to it)"
is "... the one partly outside, as much as is inside" "$(grep 4PQR567 "$B/reads.ndjson" | perl -MJSON::PP -ne '$r = decode_json($_); print $r->{crop_file}' |
	xargs -I{} /usr/bin/python3 -c 'import sys; from PIL import Image; print("%dx%d" % Image.open(sys.argv[1]).size)' "$B/{}")" "40x30"
is "a read without a frame has neither" "$(grep NOFRM01 "$B/reads.ndjson" | grep -c 'frame_file\|crop_file')" 0

# the custody record
perl -MJSON::PP -e 'local $/; $c = decode_json(<STDIN>);
	print join(" ", map { $c->{$_} } qw(type case purpose exported_by role client reads frames crops)), "\n"' \
	<"$B/CUSTODY.json" >"$T/custody"
is "CUSTODY.json: who exported what, for which case" "$(cat "$T/custody")" \
	"custody 26-0117 evidence sgt.moreno supervisor sgt.moreno 5 4 4"
like "... why, and when" "$(tr -d '\n' <"$B/CUSTODY.json")" \
	'"reason": "evidence for the court in the burglary case".*"exported": "20[0-9-]+T'
like "the export's log entry: who, case, reason, how many, where to" "$(entries export)" \
	'"user":"sgt.moreno".*"data":\{"holds_of_case":"26-0117"\},"purpose":"evidence","case":"26-0117","reason":"evidence for the court in the burglary case","count":5,"outcome":"ok","output":"[^"]*/bundle","sealed":false'

# the receiving agency: the public key alone
cp -a "$B" "$T/good"
check "verify: the bundle is good with the agency's public key" alpr-export verify -k "$T/agency.vkey" "$B"
like "... saying so, with the case and the reads" "$(cat "$T/out")" "good: 12 files, signed by Test Police Department's key; case 26-0117, 5 reads"
check "the key may be given as itself" alpr-export verify -k "$(cat "$T/agency.vkey")" "$B"
(cd "$B" && sed '1,/^$/d' MANIFEST | sha256sum -c --quiet) >"$T/sums" 2>&1
ok $? "sha256sum -c checks every file against the manifest too"

# tampering: one byte of each file, in turn
bad=0
for f in $(cd "$B" && find . -type f ! -name MANIFEST ! -name MANIFEST.sig | sed 's|^\./||'); do
	perl -e 'open my $f, "+<", shift; my $o = (-s $f) > 600 ? 500 : 1; seek $f, $o, 0;
		read $f, my $c, 1; seek $f, $o, 0; print $f chr(ord($c) ^ 1)' "$B/$f"
	alpr-export verify -k "$T/agency.vkey" "$B" >/dev/null 2>"$T/err"
	s=$?
	if [ $s != 1 ] || ! grep -q "$f: changed since it was exported" "$T/err"; then
		echo "# $f: exit $s: $(cat "$T/err")"; bad=$((bad + 1))
	fi
	cp "$T/good/$f" "$B/$f"
done
is "one byte changed in any of the 12 files is caught, naming it" "$bad" 0
echo extra >"$B/frames/extra.jpg"
check_status 1 "a file added is caught" alpr-export verify -k "$T/agency.vkey" "$B"
like "... naming it" "$(cat "$T/err")" "frames/extra.jpg: not in the manifest: added since it was exported"
rm "$B/frames/extra.jpg"
f=$(cd "$B" && ls crops | head -1)
mv "$B/crops/$f" "$T/moved.png"
check_status 1 "a file removed is caught" alpr-export verify -k "$T/agency.vkey" "$B"
like "... naming it" "$(cat "$T/err")" "crops/$f: missing \\(the manifest lists it\\)"
mv "$T/moved.png" "$B/crops/$f"
sed -i 's/^case 26-0117$/case 26-0999/' "$B/MANIFEST"
check_status 1 "the manifest edited is caught" alpr-export verify -k "$T/agency.vkey" "$B"
like "... as such" "$(cat "$T/err")" "MANIFEST: its signature does not verify with the key given \\(test-police-department\\): the manifest was changed"
cp "$T/good/MANIFEST" "$B/MANIFEST"
# a forger replaces a frame, lists its hash, and signs with a key of their own
f=$(head -1 "$T/crops" | cut -d' ' -f1)
echo "a forged frame" >"$B/$f"
sed -i "s|^[0-9a-f]*  $f\$|$(sha256sum "$B/$f" | cut -d' ' -f1)  $f|" "$B/MANIFEST"
cmp -s "$B/MANIFEST" "$T/good/MANIFEST"
is "(the forger lists the forged frame's hash)" "$?" 1
export-sign -k -n county-forgery "$B" >"$T/forger.vkey"
check_status 1 "a bundle re-signed by another key is refused" alpr-export verify -k "$T/agency.vkey" "$B"
like "... naming the key that signed it" "$(cat "$T/err")" "MANIFEST: signed by another key \\(county-forgery\\), not by the key given \\(test-police-department\\)"
check "... which that key alone would call good" alpr-export verify -k "$T/forger.vkey" "$B"
check_status 3 "verify of no bundle is an error" alpr-export verify -k "$T/agency.vkey" "$T/nothing"
check_status 2 "verify wants the key" alpr-export verify "$T/good"
done_testing
