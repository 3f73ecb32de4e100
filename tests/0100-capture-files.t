#!/bin/sh
# alpr-capture on image files: records, spool, time sources, position,
# rejected inputs and usage errors.
. "$(dirname "$0")/lib.sh"
plan 57

S=$T/spool
export TZ=UTC
cd "$T" || exit 1
capture-mkimage -x 1 320 240 a.jpg
capture-mkimage -x 2 -p 200 100 b.png
capture-mkimage -x 3 -e "2024:05:06 07:08:09" -s 25 -o "-07:00" 64 48 c.jpg
touch -d "2025-03-04 05:06:07.891 UTC" a.jpg
touch -d "2025-03-04 05:06:08 UTC" b.png

# Arguments
umask 000	# the spool's modes are the program's, not the umask's
check "two files as arguments" alpr-capture -S "$S" -c cam1 a.jpg b.png
umask 022
cp out args.out
is "one record each, in order" "$(capture-get type v src w h <args.out)" \
"frame 1 a.jpg 320 240
frame 1 b.png 200 100"
is "members in documented order" "$(capture-get -k <args.out | head -1)" \
	"type v id ts tsrc camera src image w h"
is "mtime used when there is no EXIF" "$(capture-get ts tsrc <args.out)" \
"2025-03-04T05:06:07.89Z mtime
2025-03-04T05:06:08.00Z mtime"
ha=$(sha256sum a.jpg | cut -d' ' -f1)
hb=$(sha256sum b.png | cut -d' ' -f1)
is "image is the SHA-256 of the file's bytes" "$(capture-get image <args.out)" \
"$ha
$hb"
ok "$(test -f "$S/$(echo "$ha" | cut -c1-2)/$ha"; echo $?)" "JPEG spooled at DIR/ab/hash"
ok "$(cmp -s a.jpg "$S/$(echo "$ha" | cut -c1-2)/$ha"; echo $?)" "spooled JPEG identical"
ok "$(cmp -s b.png "$S/$(echo "$hb" | cut -c1-2)/$hb"; echo $?)" "spooled PNG identical"
is "id: compact time, 12 hex of the hash, camera" "$(capture-get id <args.out)" \
"20250304T050607.89Z-$(echo "$ha" | cut -c1-12)-cam1
20250304T050608.00Z-$(echo "$hb" | cut -c1-12)-cam1"
is "no position without -g or --lat/--lon" "$(capture-get lat lon <args.out)" \
"- -
- -"
is "nothing on stderr" "$(cat err)" ""

# The same again: stable ids, spool untouched
check "a re-run succeeds" alpr-capture -S "$S" -c cam1 a.jpg b.png
same "a re-run gives the same records" args.out out
is "spool holds two files" "$(find "$S" -type f | wc -l | tr -d ' ')" 2
is "owner-only: files 0600, folders 0700, whatever the umask" \
	"$(find "$S" -type f -exec stat -c %a {} + | sort -u; find "$S" -type d -exec stat -c %a {} + | sort -u)" \
	"600
700"

# stdin, ALPR_SPOOL
printf 'b.png\n\na.jpg\n' >list
ALPR_SPOOL=$T/spool2 alpr-capture <list >out 2>err
is "names on stdin, blank lines skipped" "$(capture-get src <out)" "b.png
a.jpg"
ok "$(test -f "$T/spool2/$(echo "$hb" | cut -c1-2)/$hb"; echo $?)" '$ALPR_SPOOL used'
is "no camera member without -c" "$(capture-get camera <out | sort -u)" "-"
is "id without camera" "$(capture-get id <out | head -1)" \
	"20250304T050608.00Z-$(echo "$hb" | cut -c1-12)"

# EXIF time, with subseconds and offset
check "EXIF frame" alpr-capture -S "$S" c.jpg
is "DateTimeOriginal+SubSec+Offset" "$(capture-get ts tsrc <out)" \
	"2024-05-06T14:08:09.25Z exif"
capture-mkimage -x 4 -e "2024:05:06 07:08:09" 64 48 d.jpg
TZ=America/Los_Angeles alpr-capture -S "$S" d.jpg >out 2>err
is "EXIF without offset is local time (TZ)" "$(capture-get ts tsrc <out)" \
	"2024-05-06T14:08:09.00Z exif"
alpr-capture -S "$S" d.jpg >out 2>err
is "the same in UTC" "$(capture-get ts <out)" "2024-05-06T07:08:09.00Z"
capture-mkimage -x 5 -M -p -e "2023:01:02 03:04:05" -s 5 -o "+02:00" 100 80 e.png
alpr-capture -S "$S" e.png >out 2>err
is "PNG eXIf, big-endian TIFF" "$(capture-get ts tsrc w h <out)" \
	"2023-01-02T01:04:05.50Z exif 100 80"

# -t
lo=$(date -u +%Y-%m-%dT%H:%M:%S)
check "-t" alpr-capture -t -S "$S" c.jpg a.jpg
hi=$(date -u +%Y-%m-%dT%H:%M:%S)
is "-t: time source now" "$(capture-get tsrc <out)" "now
now"
t1=$(capture-get ts <out | head -1 | cut -c1-19)
ok "$(expr "$t1" \>= "$lo" \& "$t1" \<= "$hi" >/dev/null; echo $?)" \
	"-t: time is now ($lo <= $t1 <= $hi)"

# --lat/--lon
check "--lat/--lon" alpr-capture -S "$S" --lat 38.5816 --lon -121.4944 a.jpg
is "fixed position" "$(capture-get lat lon <out)" "38.5816000 -121.4944000"
check "extremes allowed" alpr-capture -S "$S" --lat -90 --lon 180 a.jpg
is "extremes" "$(capture-get lat lon <out)" "-90.0000000 180.0000000"
check_status 2 "latitude 90.5" alpr-capture -S "$S" --lat 90.5 --lon 0 a.jpg
like "says which" "$(cat err)" "bad latitude '90.5'"
is "no record on usage error" "$(cat out)" ""
check_status 2 "longitude -180.01" alpr-capture -S "$S" --lat 0 --lon -180.01 a.jpg
like "says which" "$(cat err)" "bad longitude '-180.01'"
check_status 2 "latitude not a number" alpr-capture -S "$S" --lat 12x --lon 0 a.jpg
check_status 2 "latitude nan" alpr-capture -S "$S" --lat nan --lon 0 a.jpg
check_status 2 "--lat alone" alpr-capture -S "$S" --lat 10 a.jpg
like "says they go together" "$(cat err)" "go together"
check_status 2 "--lat/--lon with -g" alpr-capture -S "$S" -g --lat 1 --lon 1 a.jpg

# Rejected inputs: warning naming the file, no record, exit 1, rest goes on
echo "not an image" >text.jpg
head -c 3000 a.jpg >trunc.jpg
: >empty.png
check_status 1 "bad inputs make exit status 1" \
	alpr-capture -S "$S" text.jpg a.jpg trunc.jpg b.png empty.png
check_status 3 "a missing file among them makes it 3" \
	alpr-capture -S "$S" text.jpg a.jpg trunc.jpg missing.jpg b.png empty.png
is "the good files still come out" "$(capture-get src <out)" "a.jpg
b.png"
like "non-image named" "$(cat err)" "^alpr-capture: text.jpg: not a JPEG or PNG image$"
like "truncated JPEG named" "$(cat err)" "^alpr-capture: trunc.jpg: bad JPEG"
like "missing path named" "$(cat err)" \
	"^alpr-capture: unable to read missing.jpg: No such file or directory$"
like "empty file named" "$(cat err)" "^alpr-capture: empty.png: not a JPEG or PNG image$"
is "four warnings" "$(wc -l <err | tr -d ' ')" 4
ok "$(test ! -e "$S/$(sha256sum trunc.jpg | cut -c1-2)"; echo $?)" \
	"truncated JPEG not spooled"
check_status 1 "a directory is refused, as any input that is not a regular file" alpr-capture -S "$S" "$T"
like "directory named" "$(cat err)" "unable to read $T: Is a directory"

# Usage
check_status 2 "unknown option" alpr-capture -S "$S" -q a.jpg
like "synopsis shown" "$(cat err)" "^usage: alpr-capture"
check_status 2 "bad camera name" alpr-capture -S "$S" -c "cam 1" a.jpg
check_status 2 "-w with files" alpr-capture -S "$S" -w "$T" a.jpg
check_status 2 "-w with -m" alpr-capture -S "$S" -w "$T" -m

done_testing
