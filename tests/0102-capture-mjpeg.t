#!/bin/sh
# alpr-capture -m: MJPEG streams (concatenated JPEGs, multipart parts).
. "$(dirname "$0")/lib.sh"
plan 25

S=$T/spool
export TZ=UTC
cd "$T" || exit 1
capture-mkimage -x 1 -r 1 160 120 r.jpg		# restart markers
capture-mkimage -x 2 -P 160 120 p.jpg		# progressive: many scans
capture-mkimage -x 3 -T -e "2024:05:06 07:08:09" 120 90 t.jpg	# EXIF thumbnail
capture-mkimage -x 4 64 48 s.jpg
hash() { sha256sum "$1" | cut -d' ' -f1; }

# the inputs really hold what the splitter must walk over
pairs() { od -An -v -tx1 "$1" | tr -s ' \n' '\n\n' | awk -v m="$2" \
	'p == "ff" && $1 ~ m { n++ } { p = $1 } END { print n + 0 }'; }
ok "$(test "$(pairs r.jpg '^00$')" -gt 0 && test "$(pairs r.jpg '^d[0-7]$')" -gt 0; echo $?)" \
	"test input has FF00 stuffing and RST markers"
ok "$(test "$(pairs t.jpg '^d8$')" -ge 2; echo $?)" "test input has an SOI inside APP1"

cat r.jpg t.jpg p.jpg >three.mjpeg
check "three concatenated JPEGs" alpr-capture -m -c cam1 -S "$S" <three.mjpeg
is "three frames, numbered, sized" "$(capture-get seq camera w h <out)" \
"1 cam1 160 120
2 cam1 120 90
3 cam1 160 120"
is "frames are the original bytes" "$(capture-get image <out)" \
"$(hash r.jpg)
$(hash t.jpg)
$(hash p.jpg)"
h=$(hash t.jpg)
ok "$(cmp -s t.jpg "$S/$(echo "$h" | cut -c1-2)/$h"; echo $?)" "frame spooled intact"
is "no src for stream frames" "$(capture-get src <out | sort -u)" "-"
is "time: EXIF when the frame has it, else now" "$(capture-get tsrc <out)" "now
exif
now"
is "nothing on stderr" "$(cat err)" ""

# multipart/x-mixed-replace, as an HTTP camera sends it
{ printf -- '--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %s\r\n\r\n' \
	"$(wc -c <s.jpg)"; cat s.jpg
  printf -- '\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n'; cat r.jpg
  printf -- '\r\n--frame--\r\n'; } >multi
check "multipart stream" alpr-capture -m -S "$S" <multi
is "parts become frames" "$(capture-get seq image <out)" "1 $(hash s.jpg)
2 $(hash r.jpg)"
is "headers skipped quietly" "$(cat err)" ""

# damage: a truncated frame, garbage, a truncated end
head -c 2000 r.jpg >cut.jpg
cat s.jpg cut.jpg p.jpg >bad1
check_status 1 "frame cut short by the next one" alpr-capture -m -S "$S" <bad1
is "the good frames still come out" "$(capture-get seq image <out)" \
"1 $(hash s.jpg)
3 $(hash p.jpg)"
like "the bad frame named" "$(cat err)" "^alpr-capture: <stdin>: frame 2: truncated"
{ cat s.jpg; printf '\001\002\003\377\376\375'; cat t.jpg; } >bad2
check_status 1 "garbage between frames" alpr-capture -m -S "$S" <bad2
is "both frames" "$(capture-get seq <out)" "1
2"
like "garbage reported" "$(cat err)" "^alpr-capture: <stdin>: skipped 6 bytes of non-JPEG data before frame 2$"
cat s.jpg cut.jpg >bad3
check_status 1 "stream ends inside a frame" alpr-capture -m -S "$S" <bad3
like "reported" "$(cat err)" "frame 2: truncated at end of stream: no record"

# a FIFO, with each record out before the stream ends
mkfifo fifo
alpr-capture -m -c cam2 -S "$S" fifo >fout 2>ferr &
pid=$!
exec 3>fifo
cat s.jpg >&3
i=0
while [ "$i" -lt 100 ] && [ ! -s fout ]; do sleep 0.1; i=$((i + 1)); done
is "first record written while the stream is still open" "$(capture-get seq <fout)" 1
cat t.jpg >&3
exec 3>&-
wait "$pid"
ok $? "exit 0 at end of FIFO"
is "both frames from the FIFO" "$(capture-get seq camera <fout)" "1 cam2
2 cam2"

check_status 3 "missing stream named" alpr-capture -m -S "$S" nope
like "message" "$(cat err)" "^alpr-capture: unable to open nope: No such file"
done_testing
