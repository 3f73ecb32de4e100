#!/bin/sh
# lib/capture/exif.c: DateTimeOriginal from APP1 and eXIf, both byte orders,
# bounds-checked; corrupted EXIF must not crash.
. "$(dirname "$0")/lib.sh"
plan 9

export TZ=UTC
cd "$T" || exit 1
capture-mkimage -e "2024:05:06 07:08:09" -s 25 -o "-07:00" -T 320 240 le.jpg
capture-mkimage -M -e "2024:05:06 07:08:09" -s 25 -o "-07:00" -T 320 240 be.jpg
capture-mkimage -M -e "1999:12:31 23:59:59" -s 1234567890123 96 64 long.jpg
capture-mkimage -p -e "2023:01:02 03:04:05" -s 5 -o "+02:00" 100 80 e.png
capture-mkimage -e "    :  :     :  :  " 64 48 blank.jpg
capture-mkimage 64 48 none.jpg

capture-exif le.jpg be.jpg long.jpg e.png blank.jpg none.jpg >out
is "times read from EXIF" "$(cat out)" \
"le.jpg: 2024:05:06 07:08:09|25|-07:00|1715004489.250000000
be.jpg: 2024:05:06 07:08:09|25|-07:00|1715004489.250000000
long.jpg: 1999:12:31 23:59:59|123456789||946684799.123456789
e.png: 2023:01:02 03:04:05|5|+02:00|1672621445.500000000
blank.jpg:     :  :     :  :  |||bad
none.jpg: none"
is "no offset: local time of TZ" "$(TZ=America/New_York capture-exif long.jpg)" \
	"long.jpg: 1999:12:31 23:59:59|123456789||946702799.123456789"

touch -d "2025-01-01 00:00:00 UTC" blank.jpg
alpr-capture -S "$T/spool" blank.jpg >out 2>err
is "unusable EXIF time: capture falls back to mtime" \
	"$(capture-get ts tsrc <out)" "2025-01-01T00:00:00.00Z mtime"

# Hostile EXIF, crafted by hand (little-endian TIFF after "Exif\0\0").
body() { tail -c +3 none.jpg; }
{ printf '\377\330\377\341\000\036Exif\000\000II*\000\010\000\000\000\377\377'
  printf '\000\000\000\000\000\000\000\000\000\000\000\000'; body; } >count.jpg
{ printf '\377\330\377\341\000\042Exif\000\000II*\000\010\000\000\000\001\000'
  printf '\151\207\004\000\001\000\000\000\360\377\377\377\000\000\000\000'; body; } >ptr.jpg
{ printf '\377\330\377\341\000\042Exif\000\000II*\000\010\000\000\000\001\000'
  printf '\151\207\004\000\001\000\000\000\010\000\000\000\000\000\000\000'; body; } >self.jpg
{ printf '\377\330\377\341\000\064Exif\000\000II*\000\010\000\000\000\001\000'
  printf '\151\207\004\000\001\000\000\000\032\000\000\000\000\000\000\000'
  printf '\001\000\003\220\002\000\377\377\377\377\010\000\000\000\000\000\000\000'
  body; } >ascii.jpg
printf '\377\330\377\341\377\377Exif\000\000II*\000' >seglen.jpg
# control: ascii.jpg with a sane count and offset
{ printf '\377\330\377\341\000\110Exif\000\000II*\000\010\000\000\000\001\000'
  printf '\151\207\004\000\001\000\000\000\032\000\000\000\000\000\000\000'
  printf '\001\000\003\220\002\000\024\000\000\000\054\000\000\000\000\000\000\000'
  printf '2024:01:02 03:04:05\000'; body; } >sane.jpg
capture-exif sane.jpg count.jpg ptr.jpg self.jpg ascii.jpg seglen.jpg >out
is "hostile EXIF: no time, no crash" "$(cat out)" \
"sane.jpg: 2024:01:02 03:04:05|||1704164645.000000000
count.jpg: none
ptr.jpg: none
self.jpg: none
ascii.jpg: none
seglen.jpg: none"
check "a frame with hostile EXIF is still captured" \
	alpr-capture -S "$T/spool" count.jpg ptr.jpg self.jpg ascii.jpg
is "by mtime" "$(capture-get tsrc <"$T/out" | sort -u)" "mtime"

check "20000 randomly corrupted copies parse without a crash" \
	capture-exif -f 20000 le.jpg
like "some still had a time" "$(cat "$T/out")" "^fuzz: 20000 corrupted copies, [0-9]+ still"

# The same under AddressSanitizer, where the compiler has it.
if cc -std=c11 -D_GNU_SOURCE -I"$top/lib" -fsanitize=address,undefined \
    -fno-sanitize-recover=all -g -O1 -o "$T/exif-asan" \
    "$top/tests/tools/capture-exif.c" "$top/lib/exif.c" 2>"$T/cc.err" &&
    "$T/exif-asan" none.jpg >/dev/null 2>&1; then
	ok "$( { "$T/exif-asan" -f 20000 le.jpg && "$T/exif-asan" -f 20000 be.jpg &&
	    "$T/exif-asan" -f 20000 e.png && "$T/exif-asan" count.jpg ptr.jpg \
	    self.jpg ascii.jpg seglen.jpg; } >asan.out 2>&1; echo $?)" \
		"no memory error under AddressSanitizer"
	[ -s asan.out ] && grep -q ERROR asan.out && sed 's/^/# /' asan.out | head -30
else
	skip "no memory error under AddressSanitizer" "no ASan in this compiler"
fi
done_testing
