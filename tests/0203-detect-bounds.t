#!/bin/sh
# Frame records come from outside: alpr-detect and alpr-ocr read only the
# spool's own files, check region boxes before any arithmetic, and skip a
# line too long to be a record; each problem is named by file and line.
. "$(dirname "$0")/lib.sh"
plan 18

S=$T/spool
cd "$T" || exit 1
capture-mkimage -x 1 320 240 a.jpg
alpr-capture -S "$S" a.jpg >frame 2>/dev/null || exit 1
h=$(capture-get image <frame)
mkdir -p "$S/../etc" && echo "root:x:0:0" >"$S/../etc/passwd"
ln -s /dev/zero "$S/zero"

{
	sed "s/\"image\":\"$h\"/\"image\":\"..\/etc\/passwd\"/" frame
	sed "s/\"image\":\"$h\"/\"image\":\"$(echo "$h" | tr a-f A-F)\"/" frame
	sed "s/\"image\":\"$h\"/\"image\":\"zero\"/" frame
	cat frame
} >in
check_status 1 "alpr-detect refuses image names outside the spool" \
	timeout 20 alpr-detect -S "$S" in
like "a path" "$(sed -n 1p "$T/err")" \
	"^alpr-detect: in:1: frame's \"image\" is not a spool name \(64 lower-case hex digits\)$"
like "upper-case hex" "$(sed -n 2p "$T/err")" "^alpr-detect: in:2: frame's \"image\" is not a spool name"
like "a name that is not a hash" "$(sed -n 3p "$T/err")" "^alpr-detect: in:3: frame's \"image\" is not a spool name"
is "the frames pass on, the bad ones marked, the good one read" \
	"$(capture-get error <"$T/out" | cut -c1-19 | tr '\n' '|')" \
	"frame's \"image\" is |frame's \"image\" is |frame's \"image\" is |-|"

# A name of 64 hex digits, dots and slashes, that climbs out of the spool
# to a file there.
cp a.jpg f00d0
climb=$(printf './%.0s' $(seq 28))../f00d0
sed "s|\"image\":\"$h\"|\"image\":\"$climb\"|" frame >climb
check_status 1 "a name that climbs out of the spool in 64 characters" timeout 20 alpr-detect -S "$S" climb
like "is not a spool name" "$(cat "$T/err")" "^alpr-detect: climb:1: frame's \"image\" is not a spool name"

# A spool file that is not a regular file is not read.
rm -f "$S/$(echo "$h" | cut -c1-2)/$h" && ln -s /dev/zero "$S/$(echo "$h" | cut -c1-2)/$h"
sed 's/"src":"a.jpg",//' frame >nosrc
check_status 1 "a spool entry linked to /dev/zero is refused" timeout 20 alpr-detect -S "$S" nosrc
like "not read without end" "$(cat "$T/err")" "unable to read frame .*: Not a regular file"
rm -f "$S/$(echo "$h" | cut -c1-2)/$h" && alpr-capture -S "$S" a.jpg >/dev/null 2>&1

# A line longer than a record may be, then a good record.
{ printf '{"type":"note","v":1,"x":"'; head -c 1100000 /dev/zero | tr '\0' x; echo '"}'; cat frame; } >long
check_status 1 "a line over 1 MiB is skipped" alpr-detect -S "$S" long
like "and named" "$(cat "$T/err")" "^alpr-detect: long:1: line longer than 1048576 bytes: skipped$"
is "the next record is read" "$(capture-get type <"$T/out")" frame
# ... read through without keeping it: a line of 70 MB in 60 MB of memory
# (alpr-detect takes 13 MB before it reads).
{ printf '{"type":"note","v":1,"x":"'; head -c 70000000 /dev/zero | tr '\0' x; echo '"}'; cat frame; } >huge
bounded() { (limit_memory 60000; exec "$@"); }
check_status 1 "a line of 70 MB is read through in bounded memory" bounded alpr-detect -S "$S" huge
is "skipped, and the next record read" "$(cat "$T/err") $(capture-get type <"$T/out")" \
	"alpr-detect: huge:1: line longer than 1048576 bytes: skipped frame"
rm -f huge

# Region boxes: huge, fractional, empty, outside; then a good one.
good=$(sed 's/}$/,"regions":[{"box":[0,0,320,240]}]}/' frame)
for b in '2147483600,0,100,100' '1e300,0,10,10' '0,0,-5,10' '10.5,0,40,20' '400,300,40,20'; do
	echo "$good" | sed "s/\"box\":\[0,0,320,240\]/\"box\":[$b]/"
done >boxes
echo "$good" >>boxes
check_status 1 "alpr-ocr refuses boxes that are not integers inside the image" \
	alpr-ocr -S "$S" boxes
is "each named by line" "$(grep -c 'boxes:[1-5]: region 0: want "box":\[x,y,w,h\], integers, inside the image' "$T/err")" 5
is "nothing else is said" "$(wc -l <"$T/err" | tr -d ' ')" 5
ok $(grep -q 'boxes:6' "$T/err"; echo $((! $?))) "the good box is read without complaint"
done_testing
