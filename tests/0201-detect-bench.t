#!/bin/sh
# alpr-detect on the real photos of $BENCH: at least 94% of the plates get a
# box with IoU > 0.4 among the candidates, 92% among the first three, and no
# frame is dropped.
. "$(dirname "$0")/lib.sh"
[ -d "$BENCH" ] || skip_all "no benchmark photos in $BENCH"
plan 4

# One hand-made frame record per photo, its truth box beside it.
perl -MJSON::PP -e '
	for my $t (sort glob("$ARGV[0]/*.txt")) {
		open my $f, "<", $t or die "$t: $!";
		my ($name, $x, $y, $w, $h) = split /\t/, scalar <$f>;
		print encode_json({ type => "frame", v => 1, id => $name,
		    src => "$ARGV[0]/$name", truth => [$x + 0, $y + 0, $w + 0, $h + 0] }), "\n";
	}' "$BENCH" >"$T/frames"
n=$(wc -l <"$T/frames")

check "detect runs over $n photos" alpr-detect "$T/frames"
is "one record out per frame in" "$(wc -l <"$T/out")" "$n"
perl -MJSON::PP -ne '
	my $r = decode_json($_);
	my ($x, $y, $w, $h) = @{$r->{truth}};
	my ($found, $rank) = (0, 0);
	for (@{$r->{regions}}) {
		$rank++;
		my ($a, $b, $c, $d) = @{$_->{box}};
		my $ix = ($a + $c < $x + $w ? $a + $c : $x + $w) - ($a > $x ? $a : $x);
		my $iy = ($b + $d < $y + $h ? $b + $d : $y + $h) - ($b > $y ? $b : $y);
		next if $ix <= 0 || $iy <= 0;
		if ($ix * $iy / ($c * $d + $w * $h - $ix * $iy) > 0.4) { $found = 1; last }
	}
	$n++; $f += $found; $f3 += $found && $rank <= 3; $k += @{$r->{regions}};
	END { printf "%d %d %d %.2f\n", $f, $f3, $n, $k / ($n || 1) }' "$T/out" >"$T/score"
read found top3 total mean <"$T/score"
echo "# plates found: $found of $total, $top3 in the first 3, $mean candidates a frame"
ok $(awk -v f="$found" -v n="$total" 'BEGIN { exit !(n > 0 && f >= 0.94 * n) }'; echo $?) \
	"plates found in at least 94% of the frames ($found of $total)"
ok $(awk -v f="$top3" -v n="$total" 'BEGIN { exit !(n > 0 && f >= 0.92 * n) }'; echo $?) \
	"found among the first 3 candidates in at least 92% ($top3 of $total)"
done_testing
