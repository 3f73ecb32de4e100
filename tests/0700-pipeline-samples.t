#!/bin/sh
# The whole pipeline on the project's own sample frames (samples/), as
# make demo runs it: capture | detect | ocr | match, with an access log.
. "$(dirname "$0")/lib.sh"
plan 9
export ALPR_SPOOL=$T/spool ALPR_USER=tester
check "alpr-audit init" alpr-audit -d "$T/log" init -o example.gov/alpr
cd "$top" || exit 1
alpr-capture -c cam1 samples/*.jpg >"$T/frames" 2>"$T/err1" &&
	alpr-detect <"$T/frames" >"$T/det" 2>"$T/err2" &&
	alpr-ocr <"$T/det" >"$T/reads" 2>"$T/err3" &&
	alpr-match -L "$T/log" -l samples/hotlist.csv <"$T/reads" >"$T/matched" 2>"$T/err4"
ok $? "the pipeline runs clean"
is "no warnings from any stage" "$(cat "$T/err1" "$T/err2" "$T/err3")" ""

# score: for each truth, was a region found (IoU > 0.4), and read exactly?
perl -MJSON::PP -e '
	my (%truth, %found, %read);
	for my $f (glob "samples/*.txt") {
		open my $h, "<", $f or die; my @t = split /\t/, <$h>; chomp $t[5];
		$truth{"samples/$t[0]"} = [@t[1..5]];
	}
	sub iou { my ($a, $b) = @_;
		my $x = (sort { $b <=> $a } $a->[0], $b->[0])[0];
		my $y = (sort { $b <=> $a } $a->[1], $b->[1])[0];
		my $x2 = (sort { $a <=> $b } $a->[0]+$a->[2], $b->[0]+$b->[2])[0];
		my $y2 = (sort { $a <=> $b } $a->[1]+$a->[3], $b->[1]+$b->[3])[0];
		my $i = ($x2 > $x && $y2 > $y) ? ($x2-$x)*($y2-$y) : 0;
		return $i / ($a->[2]*$a->[3] + $b->[2]*$b->[3] - $i);
	}
	open my $d, "<", $ARGV[0] or die;
	while (<$d>) { my $r = decode_json($_); my $t = $truth{$r->{src}} or next;
		$found{$r->{src}} = 1 if grep { iou($_->{box}, $t) > 0.4 } @{$r->{regions}} }
	open my $o, "<", $ARGV[1] or die;
	while (<$o>) { my $r = decode_json($_); my $t = $truth{$r->{src}} or next;
		$read{$r->{src}} = 1 if $r->{plate} eq $t->[4] && iou($r->{box}, $t) > 0.4 }
	printf "%d %d %d\n", scalar(keys %truth), scalar(keys %found), scalar(keys %read);
' "$T/det" "$T/reads" >"$T/score"
read frames found exact <"$T/score"
is "six sample frames" "$frames" 6
is "every plate found by alpr-detect" "$found" 6
ok $([ "$exact" -ge "${ALPR_SAMPLES_MIN_EXACT:-6}" ]; echo $?) \
	"at least ${ALPR_SAMPLES_MIN_EXACT:-6} of 6 plates read exactly ($exact)"
like "the stolen 8XYZ402 raises a hit" "$(grep -o '"entry":"8XYZ402"[^}]*' "$T/matched")" '"category":"stolen-vehicle"'
like "the hotlist load is in the access log" "$(cat "$T/log/log.ndjson")" '"action":"hotlist-load".*"entries":3'
check "the log verifies" alpr-audit -d "$T/log" verify
done_testing
