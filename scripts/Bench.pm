# scripts/Bench.pm: the two halves of the bench, one rule for every script
# that chooses on one half and measures on the other (bench-recognition,
# bench-ocr, bench-group, fit-calibration).
package Bench;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(half norm);

# A plate's text as the benchmark scores it: upper case, no spaces or
# dashes.
sub norm {
	my $s = uc($_[0] // '');
	$s =~ s/[\s-]//g;
	$s;
}

# The half of the bench a plate is in, by the 32-bit FNV-1a hash of its
# text (normalised): even, the tuning half; odd, the test half. Two
# photos of one plate are never split.
sub half {
	my $h = 2166136261;
	$h = (($h ^ ord) * 16777619) % 4294967296 for split //, norm($_[0]);
	$h % 2 ? 'test' : 'tune';
}

1;
