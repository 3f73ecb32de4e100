#!/bin/sh
# lib/recognition/segment.c: character segmentation of synthetic plate crops.
. "$(dirname "$0")/lib.sh"
plan 9

setup glyph-synth 'AB_1234' "$T/touch.png"
check "it is segmented" glyph-seg -s "$T/touch.png"
is "the first candidate finds all 6 glyphs, the touching pair split" \
	"$(awk -F'\t' '$2 == 0 { print $4 }' "$T/out")" 6
# Boxes left to right, none overlapping its neighbour, all on one line.
is "boxes run left to right without overlap, on one line" "$(awk -F'\t' '$2 == 0 {
	for (i = 5; i <= NF; i++) {
		split($i, b, ",")
		if (i > 5 && b[1] < px) bad = bad " overlap@" i - 4
		if (b[4] < 25 || b[4] > 50) bad = bad " height@" i - 4
		px = b[1] + b[3]
	}
	print bad == "" ? "ok" : bad }' "$T/out")" ok

# A condensed face: two touching glyphs make a box narrower than the line
# is high, cut at the width of the plate's own free-standing glyphs.
setup glyph-synth -c 40 'Y_V2345' "$T/cond1.png"
setup glyph-synth -c 50 'X_Y2345' "$T/cond2.png"
glyph-seg -s "$T/cond1.png" "$T/cond2.png" >"$T/out" 2>"$T/err"
is "both are segmented in 6 glyphs, the pair split" \
	"$(awk -F'\t' '$2 == 0 { print $4 }' "$T/out" | tr '\n' ' ')" "6 6 "
is "the pieces are about as wide as the other glyphs" "$(awk -F'\t' '$2 == 0 {
	for (i = 5; i <= NF; i++) { split($i, b, ","); w[i] = b[3] }
	if (w[5] > 2 * w[NF] || w[6] > 2 * w[NF]) bad = 1 } END { print bad ? "bad" : "ok" }' "$T/out")" ok

setup glyph-synth -g 10 'XY7PK9' "$T/apart.png"
glyph-seg -s "$T/apart.png" >"$T/out" 2>"$T/err"
is "spaced glyphs: 6 boxes" "$(awk -F'\t' '$2 == 0 { print $4 }' "$T/out")" 6

# Characters 15% of the crop high, the rest a dark car around the plate:
# too small for the usual 18% rule, found by the fallback.
setup glyph-synth -m 80 -g 10 'XY7PK9' "$T/small.png"
glyph-seg -s "$T/small.png" >"$T/out" 2>"$T/err"
is "its 6 glyphs are found, 39 px high on one line" "$(awk -F'\t' '$2 == 0 {
	for (i = 5; i <= NF; i++) { split($i, b, ","); if (b[4] < 35 || b[4] > 45 || b[2] != 110) bad = 1 }
	print NF - 4, bad ? "bad" : "ok" }' "$T/out")" "6 ok"

setup glyph-synth -n "$T/noise.png"
printf 'P5\n4 4\n255\n' >"$T/bad.png"
check_status 1 "an unreadable file fails with status 1" glyph-seg "$T/bad.png"
like "and is named in the message" "$(cat "$T/err")" "bad.png"
done_testing
