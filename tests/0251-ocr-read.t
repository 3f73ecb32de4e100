#!/bin/sh
# alpr-ocr: read records from frames with plates drawn by tests/tools/ocr-render.
. "$(dirname "$0")/lib.sh"
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata 2>/dev/null)" ] ||
	skip_all "no Tesseract English model"
plan 26

# field FILE EXPR: EXPR (perl, $r the record) for each record of FILE.
field() {
	perl -MJSON::PP -e 'my $e = shift; open my $f, "<", shift or die;
		while (<$f>) { my $r = decode_json($_); my $v = eval $e;
		print defined $v ? $v : "", "\n" }' "$2" "$1"
}

b1=$(ocr-render "$T/a.png" BHX4058 | tr ' ' ,)
b2=$(ocr-render "$T/b.png" 4HXB508 | tr ' ' ,)
b2b=$(echo "$b2" | awk -F, '{ print $1 - 8 "," $2 - 5 "," $3 + 14 "," $4 + 8 }')
b3=$(ocr-render "$T/blank.png" - | tr ' ' ,)
cat >"$T/in" <<EOF2
{"type":"frame","v":1,"id":"f1","ts":"2026-11-22T09:57:07.12Z","camera":"cam1","src":"$T/a.png","image":"0000000000000000000000000000000000000000000000000000000000000000","w":640,"h":360,"extra":{"k":[1,2]},"regions":[{"box":[$b1],"score":0.9}]}
{"type":"note","v":1,"text":"passes through"}
{"type":"frame","v":1,"id":"f2","src":"$T/b.png","regions":[{"box":[$b2],"score":0.9},{"box":[$b2b],"score":0.5}]}
{"type":"frame","v":1,"id":"f3","src":"$T/blank.png","regions":[{"box":[$b3],"score":0.9},{"box":[10,10,120,40],"score":0.2}]}
{"type":"frame","v":1,"id":"f4","src":"$T/nothere.png","regions":[{"box":[$b3],"score":0.9}]}
{"type":"frame","v":1,"id":"f5","src":"$T/a.png","regions":[]}
EOF2
check_status 1 "a missing image makes exit status 1" alpr-ocr -m eng -S "$T/spool" "$T/in"
cp "$T/out" "$T/reads"
is "one read per plate, other records passed through, in order" \
	"$(field "$T/reads" '"$r->{type} " . ($r->{id} || $r->{text})')" \
	"read f1
note passes through
read f2"
is "clean plate read exactly" "$(field "$T/reads" '$r->{plate}' | sed -n 1p)" BHX4058
is "California plate read exactly" "$(field "$T/reads" '$r->{plate}' | sed -n 3p)" 4HXB508
is "region of a format one state dominates" \
	"$(field "$T/reads" '$r->{region}' | sed -n 3p)" ca
is "region of a format shared by states is the format" \
	"$(field "$T/reads" '$r->{region}' | sed -n 1p)" LLL9999
is "frame fields carried, unknown ones too, regions dropped" \
	"$(field "$T/reads" 'join ",", map { "$_=" . (ref $r->{$_} ? encode_json($r->{$_}) : $r->{$_}) } grep { !/^(plate|conf|candidates|region)$/ } sort keys %$r' | sed -n 1p)" \
	"box=[$b1],camera=cam1,extra={\"k\":[1,2]},h=360,id=f1,image=0000000000000000000000000000000000000000000000000000000000000000,src=$T/a.png,ts=2026-11-22T09:57:07.12Z,type=read,v=1,w=640"
is "conf is the best candidate's" \
	"$(field "$T/reads" '$r->{conf} == $r->{candidates}[0]{conf} && $r->{plate} eq $r->{candidates}[0]{plate} ? "yes" : "no"' | sed -n 1p)" yes
is "candidates ordered by conf" \
	"$(field "$T/reads" 'my @c = map { $_->{conf} } @{$r->{candidates}}; join(" ", @c) eq join(" ", sort { $b <=> $a } @c) ? scalar @c : "unordered"' | sed -n 1p)" 10
is "conf within 0..100" "$(field "$T/reads" '$r->{conf} > 0 && $r->{conf} <= 100 ? "ok" : $r->{conf}' | sed -n 1p)" ok
is "overlapping regions of one plate give one read" \
	"$(field "$T/reads" '$r->{id}' | grep -c f2)" 1
like "missing image named with file:line" "$(cat "$T/err")" \
	"^alpr-ocr: $T/in:5: unable to read frame .*nothere.png"
is "only the missing image is reported" "$(wc -l <"$T/err" | tr -d ' ')" 1

check_status 1 "-n limits the candidates" alpr-ocr -m eng -n 3 "$T/in"
is "three candidates" "$(field "$T/out" 'scalar @{$r->{candidates} || []}' | sed -n 1p)" 3

echo '{"type":"frame","v":1,"id":"x","src":"'"$T"'/a.png","regions":[{"box":"no"}]}' >"$T/bad"
check_status 1 "a malformed region is reported" alpr-ocr "$T/bad"
like "malformed region named with file:line" "$(cat "$T/err")" "$T/bad:1: region 0: want"

check_status 2 "unknown option is a usage error" alpr-ocr -Q
like "usage printed" "$(cat "$T/err")" "^usage: alpr-ocr "
check_status 2 "-n out of range is a usage error" alpr-ocr -n 0
check_status 2 "-m with a bad model fails" alpr-ocr -m "$T/nope.traineddata" "$T/in"
like "bad model named" "$(cat "$T/err")" "alpr-ocr: fatal: $T/nope.traineddata: No such file"
echo "not a model" >"$T/junk.model"
check_status 2 "-m with a bad glyph model fails" alpr-ocr -m "$T/junk.model" "$T/in"
like "bad glyph model named" "$(cat "$T/err")" "alpr-ocr: fatal: $T/junk.model: unable to load glyph model"

# The glyph classifier, when its model is installed, goes through the same
# decoding: reads with ranked candidates.
if [ -f "$top/share/alpr/glyphs.model" ]; then
	alpr-ocr -m "$top/share/alpr/glyphs.model" "$T/in" >"$T/out" 2>/dev/null
	is "glyph engine reads with ranked candidates" \
		"$(field "$T/out" '$r->{type} eq "read" && @{$r->{candidates}} && $r->{candidates}[0]{plate} eq $r->{plate} ? "ok" : "no"' | sed -n 1p)" ok
	alpr-ocr -1 -m "$top/share/alpr/glyphs.model" "$T/in" >"$T/once" 2>/dev/null
	# Extra reads only add candidates: the same regions give reads.
	is "-1 (one read per region) reads the same plates" \
		"$(field "$T/once" '$r->{type} eq "read" ? $r->{id} : undef' | grep . | tr '\n' ' ')" \
		"$(field "$T/out" '$r->{type} eq "read" ? $r->{id} : undef' | grep . | tr '\n' ' ')"
else
	skip "glyph engine reads with ranked candidates" "no share/alpr/glyphs.model"
	skip "-1 (one read per region) reads the same plates" "no share/alpr/glyphs.model"
fi
done_testing
