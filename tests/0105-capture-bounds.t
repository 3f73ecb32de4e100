#!/bin/sh
# Inputs that must not hang or exhaust alpr-capture: FIFOs and devices named
# as files or dropped into a watched folder, huge files, images of too many
# pixels. Each is reported and capture goes on.
. "$(dirname "$0")/lib.sh"
plan 16

S=$T/spool
cd "$T" || exit 1
capture-mkimage -x 1 160 120 a.jpg
capture-mkimage -x 2 -p 64 48 b.png
limit_memory 4000000	# 4 GB: a runaway read or decode fails, not the machine

# giant FILE W H: a copy of a.jpg (or b.png) whose header claims W x H
giant() {
	python3 - "$@" <<'PY'
import struct, sys
out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if out.endswith('.png'):
    b = bytearray(open('b.png', 'rb').read())
    b[16:24] = struct.pack('>II', w, h)
else:
    b = bytearray(open('a.jpg', 'rb').read())
    i = b.index(b'\xff\xc0')
    b[i + 5:i + 9] = struct.pack('>HH', h, w)
open(out, 'wb').write(b)
PY
}

mkfifo fifo.jpg
check_status 1 "a FIFO named as a file is refused at once" \
	timeout 20 alpr-capture -S "$S" fifo.jpg a.jpg
like "saying it is not a regular file" "$(cat "$T/err")" \
	"^alpr-capture: unable to read fifo.jpg: Not a regular file$"
is "and the next file is captured" "$(capture-get src <"$T/out")" a.jpg

check_status 1 "/dev/zero is refused" timeout 20 alpr-capture -S "$S" /dev/zero a.jpg
like "not read without end" "$(cat "$T/err")" "unable to read /dev/zero: Not a regular file"
is "and the next file is captured" "$(capture-get src <"$T/out")" a.jpg

head -c $((65 << 20)) /dev/zero >huge.jpg
check_status 1 "a file over the 64 MiB frame limit is refused" \
	alpr-capture -S "$S" huge.jpg a.jpg
like "as too large" "$(cat "$T/err")" "unable to read huge.jpg: File too large"

giant big.jpg 40000 40000
giant big.png 40000 40000
giant max.jpg 65500 65500
check_status 1 "JPEG and PNG of 1.6 gigapixels are refused" \
	timeout 60 alpr-capture -S "$S" big.jpg big.png max.jpg a.jpg
like "saying why, with the limit and how to set it" "$(sed -n 1p "$T/err")" \
	"^alpr-capture: big.jpg: image of 40000x40000 pixels is larger than the limit of 50000000 pixels \(ALPR_MAX_PIXELS\): not decoded$"
like "for PNG too" "$(sed -n 2p "$T/err")" "^alpr-capture: big.png: image of 40000x40000 pixels is larger"
like "and at libjpeg's own largest size" "$(sed -n 3p "$T/err")" "^alpr-capture: max.jpg: image of 65500x65500 pixels"
ALPR_MAX_PIXELS=10000 check_status 1 "ALPR_MAX_PIXELS sets the limit" \
	alpr-capture -S "$S" a.jpg b.png
is "a 160x120 JPEG is then refused, a 64x48 PNG is not" \
	"$(sed 's/: image of.*//' "$T/err") $(capture-get src <"$T/out")" \
	"alpr-capture: a.jpg b.png"

# A FIFO moved into a watched folder: reported, and capture goes on.
mkdir in
mkfifo stage.jpg
alpr-capture -w in -S "$S" >wout 2>werr &
pid=$!
i=0
while [ "$i" -lt 100 ] && ! cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -q '^inotify wd:'; do
	sleep 0.1; i=$((i + 1))
done
mv stage.jpg in/pipe.jpg
cp a.jpg in/a.jpg
i=0
while [ "$i" -lt 100 ] && [ "$(wc -l <wout)" -lt 1 ]; do sleep 0.1; i=$((i + 1)); done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
is "a file after the FIFO is captured" "$(capture-get src <wout)" in/a.jpg
like "the FIFO is reported" "$(cat werr)" "unable to read in/pipe.jpg: Not a regular file"
done_testing
