#!/bin/sh
# alpr-detect on made-up scenes: plates found with tight boxes, empty scenes
# give no regions, -w/-W/-r take effect, records pass through, bad input is
# reported with file:line and never dropped.
. "$(dirname "$0")/lib.sh"
plan 34

cd "$T" || exit 1

# iou X Y W H <records: per frame line, "rank iou" of the best-overlapping
# region (rank 0 and iou 0 when there is none).
iou() {
	perl -MJSON::PP -ne '
		my ($x, $y, $w, $h) = @ARGV[0..3];
		BEGIN { @a = @ARGV; @ARGV = () }
		($x, $y, $w, $h) = @a;
		my $r = decode_json($_);
		my ($best, $rank, $i) = (0, 0, 0);
		for (@{$r->{regions} || []}) {
			$i++;
			my ($a, $b, $c, $d) = @{$_->{box}};
			my $ix = ($a + $c < $x + $w ? $a + $c : $x + $w) - ($a > $x ? $a : $x);
			my $iy = ($b + $d < $y + $h ? $b + $d : $y + $h) - ($b > $y ? $b : $y);
			next if $ix <= 0 || $iy <= 0;
			my $v = $ix * $iy / ($c * $d + $w * $h - $ix * $iy);
			($best, $rank) = ($v, $i) if $v > $best;
		}
		printf "%d %.2f\n", $rank, $best;' "$@"
}
# over T: 1 when the "rank iou" line on stdin has iou above 0.4
over() { awk '{ print ($2 > 0.4) }'; }
# boxes: the region boxes of every frame, "x y w h" a line
boxes() {
	perl -MJSON::PP -ne 'print "@{$_->{box}}\n" for @{decode_json($_)->{regions}}'
}
frame() {	# id file [extra members]
	printf '{"type":"frame","v":1,"id":"%s","camera":"cam1","src":"%s","w":1280,"h":720%s}\n' \
		"$1" "$T/$2" "${3-}"
}

detect-mkimg -s 3 dark.jpg 1280 720 400 300 120 7ABC123 >/dev/null
detect-mkimg -s 4 light.jpg 1280 720 -l 700 420 100 ZX99812 >/dev/null
detect-mkimg -s 5 small.jpg 1280 720 200 150 80 4KQ221 900 500 200 8RTY555 >/dev/null
detect-mkimg -s 6 empty.jpg 1280 720 >/dev/null
detect-mkimg -s 7 vga.jpg 640 480 250 200 90 6WXY202 >/dev/null

frame d dark.jpg >in.d
check "dark characters on a light plate" alpr-detect in.d
is "plate found with IoU > 0.4" "$(iou 400 300 120 60 <out | over)" 1
like "found first" "$(iou 400 300 120 60 <out)" "^1 "
like "regions have box and score" "$(cat out)" \
	'"regions":\[\{"box":\[[0-9]+,[0-9]+,[0-9]+,[0-9]+\],"score":[-0-9.e]+\}'
is "frame members kept in order" "$(perl -MJSON::PP -ne 'print join(" ", sort keys %{decode_json($_)})' out)" \
	"camera h id regions src type v w"

frame l light.jpg >in.l
check "light characters on a dark plate" alpr-detect in.l
is "light plate found" "$(iou 700 420 100 50 <out | over)" 1

frame s small.jpg >in.s
check "two plates of different sizes" alpr-detect in.s
is "small plate found" "$(iou 200 150 80 40 <out | over)" 1
is "large plate found" "$(iou 900 500 200 100 <out | over)" 1

frame v vga.jpg ',"w":640,"h":480' | sed 's/"w":1280,"h":720,//' >in.v
check "a small frame is searched at full size" alpr-detect in.v
is "plate in a 640x480 frame found" "$(iou 250 200 90 45 <out | over)" 1

frame e empty.jpg >in.e
check "an empty scene" alpr-detect in.e
is "no plate: an empty list" "$(cat out)" \
	"$(sed 's/}$/,"regions":[]}/' in.e)"

# Width limits, in full-frame pixels
check "-w drops narrower plates" alpr-detect -w 130 in.s
is "small plate gone" "$(iou 200 150 80 40 <out | over)" 0
is "the wider one kept" "$(iou 900 500 200 100 <out | over)" 1
is "no box narrower than -w" "$(boxes <out | awk '$3 < 130' | wc -l)" 0
check "-W drops wider plates" alpr-detect -W 100 in.s
is "large plate gone" "$(iou 900 500 200 100 <out | over)" 0
is "the narrower one kept" "$(iou 200 150 80 40 <out | over)" 1
is "no box wider than -W" "$(boxes <out | awk '$3 > 100' | wc -l)" 0

# Region of interest
check "-r around the plate" alpr-detect -r 300,250,400,200 in.d
is "plate inside the region found" "$(iou 400 300 120 60 <out | over)" 1
is "boxes inside the region" "$(boxes <out | awk '$1 < 300 || $2 < 250 || $1 + $3 > 700 || $2 + $4 > 450' | wc -l)" 0
check "-r away from the plate" alpr-detect -r 700,0,580,720 in.d
is "plate outside the region not found" "$(iou 400 300 120 60 <out | over)" 0

# Records pass through; bad lines and missing images are reported
{
	echo '{"type":"note","v":1,"text":"kept","x":[1,{"y":null}]}'
	echo '{"type":"frame","v":1,"id":"bad"'
	frame m missing.jpg ',"extra":{"k":[1,2]}'
	cat in.e
} >in.mix
check_status 1 "bad input makes exit status 1" alpr-detect in.mix
is "every good record out, in order" "$(perl -MJSON::PP -ne 'print decode_json($_)->{type} . " "' out)" \
	"note frame frame "
is "other records untouched" "$(head -1 out)" \
	'{"type":"note","v":1,"text":"kept","x":[1,{"y":null}]}'
like "bad line named by file and line" "$(cat err)" "^alpr-detect: in.mix:2: bad JSON"
like "missing image reported with file:line and reason" "$(cat err)" \
	"^alpr-detect: in.mix:3: unable to read frame .*missing.jpg: No such file"
like "unreadable frame passed on with an error and no regions" "$(sed -n 2p out)" \
	'"extra":\{"k":\[1,2\]\},"error":"unable to read frame [^"]*","regions":\[\]\}$'

check_status 2 "bad -r is a usage error" alpr-detect -r 1,2,3 in.d
done_testing
