#!/bin/sh
# alpr-ocr: the glyph engine's confidences become probabilities through
# the calibration file beside its model (lib/recognition/calib.c); without one, or with
# one for another model or a bad one, they stay the decoder's.
. "$(dirname "$0")/lib.sh"
plan 28

cd "$T" || exit 1
model=$top/share/alpr/glyphs.model
b=$(ocr-render a.png 5Y4827 | tr ' ' ,)
echo '{"type":"frame","v":1,"id":"f1","src":"'"$T"'/a.png","regions":[{"box":['"$b"'],"score":0.9}]}' >in
confs() { perl -MJSON::PP -ne 'my $r = decode_json($_);
	print join(" ", map { $_->{conf} } @{$r->{candidates}}), "\n"' "$1"; }

mkdir raw
cp "$model" raw/g.model
check "a model alone" alpr-ocr -m raw/g.model in
cp out raw.out
is "reads with no warning" "$(cat err)" ""
set -- $(confs raw.out)
r1=$1 r2=$2
[ -n "$r1" ] && [ -n "$r2" ]
ok $? "the decoder's confidences ($r1, $r2, ...)"

# logistic w0 w1 w2: p = 1 / (1 + exp(-(w0 + w1 r/100 + w2 (r - other)/100)))
sha=$(sha256sum "$model" | cut -d' ' -f1)
mkdir flat
cp "$model" flat/g.model
printf '# flat\nmodel %s\nlogistic 0 0 0\n' "$sha" >flat/g.cal
check "a calibration beside the model" alpr-ocr -m flat/g.model in
is "is used: every candidate at 50" "$(confs out | tr ' ' '\n' | sort -u)" 50
is "no warning" "$(cat err)" ""

mkdir lead
cp "$model" lead/g.model
printf 'model %s\nlogistic -1 2 10\n' "$sha" >lead/g.cal
alpr-ocr -m lead/g.model in >out
# (within 0.2: the decoder's confidences are written to a tenth)
is "the first two as the logistic of confidence and lead says" \
	"$(confs out | awk -v a="$r1" -v b="$r2" '{
		p = 100 / (1 + exp(-(-1 + 2 * a / 100 + 10 * (a - b) / 100)))
		q = 100 / (1 + exp(-(-1 + 2 * b / 100 + 10 * (b - a) / 100)))
		d = ($1 - p) ^ 2 + ($2 - q) ^ 2
		print d < 0.04 ? "ok" : $1 " " $2 " want " p " " q }')" ok
is "the candidates in the same order" \
	"$(perl -MJSON::PP -ne 'print join(" ", map { $_->{plate} } @{decode_json($_)->{candidates}})' out)" \
	"$(perl -MJSON::PP -ne 'print join(" ", map { $_->{plate} } @{decode_json($_)->{candidates}})' raw.out)"
is "conf is the first candidate's" \
	"$(perl -MJSON::PP -ne 'my $r = decode_json($_); print $r->{conf} == $r->{candidates}[0]{conf} ? "yes" : "no"' out)" yes

# logistic w0 w1 w2 w3 w4: ln(r/100) and whether the read's best string
# matches no plate format join in: p = 1 / (1 + exp(-(ln x + f)))
mkdir logr
cp "$model" logr/g.model
printf 'model %s\nlogistic 0 0 0 1 1\n' "$sha" >logr/g.cal
alpr-ocr -m logr/g.model in >out
region=$(perl -MJSON::PP -ne 'print decode_json($_)->{region} // ""' raw.out)
[ -n "$region" ]
ok $? "the raw read matches a format ($region)"
is "ln r: every candidate at r / (r + 100)" \
	"$(confs out | awk -v a="$r1" -v b="$r2" '{
		p = 100 * a / (a + 100); q = 100 * b / (b + 100)
		d = ($1 - p) ^ 2 + ($2 - q) ^ 2
		print d < 0.04 ? "ok" : $1 " " $2 " want " p " " q }')" ok
# The same read with no formats to match: every candidate is raised alike.
: >nopat
alpr-ocr -m raw/g.model -p nopat in >raw2.out
alpr-ocr -m logr/g.model -p nopat in >out
set -- $(confs raw2.out)
is "a read matching no format: r e / (r e + 100)" \
	"$(confs out | awk -v a="$1" -v b="$2" '{
		e = exp(1); p = 100 * a * e / (a * e + 100)
		q = 100 * b * e / (b * e + 100)
		d = ($1 - p) ^ 2 + ($2 - q) ^ 2
		print d < 0.04 ? "ok" : $1 " " $2 " want " p " " q }')" ok
printf 'model %s\nlogistic 0 0 0 1\n' "$sha" >logr/g.cal
alpr-ocr -m logr/g.model in >out 2>err
like "four weights are refused" "$(cat err)" "logr/g.cal:2: want"

# confs FILE: each read's candidates' distinct confidences, a read a word
confs() {
	perl -MJSON::PP -ne 'my %u = map { $_->{conf} => 1 }
	    @{decode_json($_)->{candidates}}; print join(",", sort keys %u), " "' "$1"
}
# logistic w0 .. w5: the characters the read's best string has fewer than
# 6 (0 to 2) join in: p = 1 / (1 + exp(-s)), the same for all candidates.
mkdir short
cp "$model" short/g.model
printf 'model %s\nlogistic 0 0 0 0 0 1\n' "$sha" >short/g.cal
for p in 5Y4827 5Y482 5Y48 Y48; do
	b=$(ocr-render $p.png $p | tr ' ' ,)
	echo '{"type":"frame","v":1,"id":"'$p'","src":"'"$T/$p"'.png","regions":[{"box":['"$b"'],"score":0.9}]}'
done >sin
alpr-ocr -m raw/g.model sin >sraw.out
is "plates of 6, 5, 4 and 3 characters read so by the model alone" \
	"$(perl -MJSON::PP -ne 'print length(decode_json($_)->{plate}), " "' sraw.out)" \
	"6 5 4 3 "
alpr-ocr -m short/g.model sin >out 2>err
is "six weights are taken" "$(cat err)" ""
is "every candidate at 1/(1+exp(-s)): s 0, 1, 2, 2" \
	"$(confs out)" \
	"50 73.1 88.1 88.1 "
# w6: the read's best string has 3 characters or fewer (1) or not (0).
printf 'model %s\nlogistic 0 0 0 0 0 0 1\n' "$sha" >short/g.cal
alpr-ocr -m short/g.model sin >out 2>err
is "seven weights are taken" "$(cat err)" ""
is "every candidate at 1/(1+exp(-t)): t 0, 0, 0, 1" \
	"$(confs out)" \
	"50 50 50 73.1 "
printf 'model %s\nlogistic 0 0 0 0 0 1 -1\n' "$sha" >short/g.cal
alpr-ocr -m short/g.model sin >out 2>err
is "the two together: s + t 0, 1, 2, 1" \
	"$(confs out)" \
	"50 73.1 88.1 73.1 "
printf 'model %s\nlogistic 0 0 0 0 0 1 1 1\n' "$sha" >short/g.cal
alpr-ocr -m short/g.model sin >out 2>err
like "eight are refused" "$(cat err)" "short/g.cal:2: want"

mkdir other
cp "$model" other/g.model
printf 'model %064d\nlogistic 0 0 0\n' 0 >other/g.cal
check "a calibration for another model" alpr-ocr -m other/g.model in
like "is refused with a warning" "$(cat err)" \
	"other/g.cal: fitted for another model than other/g.model: confidences left uncalibrated"
is "the decoder's confidences kept" "$(confs out)" "$(confs raw.out)"

mkdir bad
cp "$model" bad/g.model
printf 'model %s\nlogistic 0 zero 0\n' "$sha" >bad/g.cal
check "a malformed calibration" alpr-ocr -m bad/g.model in
like "is named by file and line" "$(cat err)" "bad/g.cal:2: want"
is "and not used" "$(confs out)" "$(confs raw.out)"

# The shipped calibration is the shipped model's.
alpr-ocr in >out 2>err
is "the shipped model and calibration go together" "$(cat err)" ""
[ "$(confs out)" != "$(confs raw.out)" ]
ok $? "and the confidences are calibrated"
done_testing
