#!/bin/sh
# The whole reader on the real photos of $BENCH: floors a few points under
# what scripts/bench-recognition and scripts/bench-ocr measure, on the whole
# bench and on the test half that nothing was tuned or fitted on, so that a
# regression in detection, segmentation, the model, the decoder or the
# calibration shows.
. "$(dirname "$0")/lib.sh"
[ -d "$BENCH" ] || skip_all "no benchmark photos in $BENCH (../shared beside the checkout)"
plan 13

# pct LABEL COLUMN FILE: the percentage in the row LABEL, column 1 (whole
# bench), 2 (tuning half) or 3 (test half), as an integer.
pct() {
	awk -v k="$1" -v c="$2" 'index($0, k) == 1 {
		n = 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^\([0-9.]+%\)$/ && ++n == c) {
				v = $i; gsub(/[()%]/, "", v); print int(v)
			}
	}' "$3"
}
atleast() {	# DESC GOT FLOOR
	[ "${2:-0}" -ge "$3" ]
	ok $? "$1 >= $3% (got ${2:-none}%)"
}

check "bench-recognition runs over the bench in halves" \
	bench-recognition -s "$BENCH"
cp "$T/out" "$T/rec"
atleast "plates found by the read box, whole bench" \
	"$(pct 'plates found by read box' 1 "$T/rec")" 94
atleast "plates found, test half" \
	"$(pct 'plates found by read box' 3 "$T/rec")" 96
atleast "read exactly, whole bench" "$(pct 'read exactly' 1 "$T/rec")" 73
atleast "read exactly, test half" "$(pct 'read exactly' 3 "$T/rec")" 74
atleast "right string among the candidates, whole bench" \
	"$(pct 'right string among' 1 "$T/rec")" 85
atleast "right string among the candidates, test half" \
	"$(pct 'right string among' 3 "$T/rec")" 85

# The calibration, at the truth boxes of the test half.
check "bench-ocr runs over the bench in halves" bench-ocr -s "$BENCH"
cp "$T/out" "$T/ocr"
# conf>= table, test half: "90  reads  of-plates%  wrong%"
set -- $(awk '$1 == "90" && $4 ~ /%$/ { print $2, $4 }' "$T/ocr" | tr -d %)
n90=${1:-0} w90=${2:-100}
ok $(awk -v w="$w90" 'BEGIN { exit !(w <= 10) }'; echo $?) \
	"of the reads at 90 or more, at most 10% wrong (got $w90% of $n90)"
[ "$n90" -ge 20 ]
ok $? "and they are at least 20 of the 52 plates (got $n90)"
# Below 50 the reads are mostly wrong, above 90 mostly right.
set -- $(awk '/^conf / { t = 1; next } t && /^[0-9]+-/ {
	split($1, b, "-"); if (b[1] < 50) { lo += $2; lr += $2 * $3 / 100 }
	if (b[1] >= 90) { hi += $2; hr += $2 * $3 / 100 } }
	/^conf>=/ { t = 0 }
	END { printf "%d %d %d %d\n", lo, lr + 0.5, hi, hr + 0.5 }' "$T/ocr")
ok $([ "${1:-0}" -gt 0 ] && [ $(($2 * 2)) -lt "$1" ]; echo $?) \
	"reads under 50 are right less than half the time ($2 of $1)"
ok $([ "${3:-0}" -gt 0 ] && [ $(($4 * 10)) -ge $(($3 * 9)) ]; echo $?) \
	"reads at 90 or more are right nine times in ten or more ($4 of $3)"
# The Brier score of the confidences (0.079 measured).
b=$(awk '/^Brier score/ { print $NF }' "$T/ocr")
ok $(awk -v b="${b:-1}" 'BEGIN { exit !(b <= 0.09) }'; echo $?) \
	"the confidences as probabilities: Brier score at most 0.09 (got $b)"
done_testing
