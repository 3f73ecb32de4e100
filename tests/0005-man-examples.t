#!/bin/sh
# Every EXAMPLES command of every man page: each alpr program in it knows
# the options it is given, and the examples that can run here run, in a
# folder with the files they name, and every program in them exits 0.
# Those that cannot (a camera, another host, alpr-store, a benchmark of
# minutes) are listed as skipped, with the reason.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || skip_all "no perl"
cd "$T" || exit 1

# The examples, one a line: "cmd PAGE NEED TEXT" for a command, NEED the
# programs it runs that are not installed here (or "-"), then "seg PAGE
# TEXT" for each alpr program in it, its words as the shell would see
# them less redirections. A line in a block that has "$ " prompts is a
# command only after one; in a block without, every line is. A line with
# no program in it (a hotlist, output) is data.
cat >extract.pl <<'PL'
use strict;
use warnings;
sub unroff { my $s = shift; $s =~ s/\\e/\\/g; $s =~ s/\\&//g; $s }
sub segments {		# the pipeline's parts, split outside quotes
	my ($cmd) = @_;
	my (@seg, $cur, $q) = ((), '', '');
	for my $c (split //, $cmd) {
		if ($q) { $q = '' if $c eq $q; $cur .= $c; next }
		if ($c eq "'" || $c eq '"') { $q = $c; $cur .= $c; next }
		if ($c eq '|' || $c eq '&' || $c eq ';') { push @seg, $cur; $cur = ''; next }
		$cur .= $c;
	}
	push @seg, $cur;
	return grep { /\S/ } @seg;
}
for my $page (@ARGV) {
	open my $f, '<', $page or die "$page: $!";
	my ($in, $block, @blocks) = (0, 0);
	while (<$f>) {
		chomp;
		if (/^\.Sh EXAMPLES/) { $in = 1; next }
		if (/^\.Sh /) { $in = 0; next }
		next unless $in;
		if (/^\.Dl (.*)/) { push @blocks, [unroff($1)]; next }
		if (/^\.Bd -literal/) { $block = 1; push @blocks, []; next }
		if (/^\.Ed/) { $block = 0; next }
		push @{$blocks[-1]}, unroff($_) if $block;
	}
	(my $name = $page) =~ s|.*/||;
	for my $b (@blocks) {
		my $prompts = grep { /^\$ / } @$b;
		my (@cmds, $cur);
		for my $l (@$b) {
			if (defined $cur) {		# continued
				$cur .= "\n" . $l;
			} elsif ($prompts) {
				next unless $l =~ s/^\$ //;
				$cur = $l;
			} else {
				$cur = $l;
			}
			if ($cur =~ /(\\|\||&&)\s*$/ || ($cur =~ tr/'// ) % 2) {
				next;
			}
			push @cmds, $cur;
			undef $cur;
		}
		for my $c (@cmds) {
			(my $one = $c) =~ s/\\\n/ /g;
			$one =~ s/\n/ /g;
			$one =~ s/\s+#[^'"]*$//;	# a comment at the end
			# cron's five time fields before a command
			(my $run = $one) =~ s/^([0-9*\/,-]+\s+){5}//;
			# what runs is the text as the shell reads it, its lines
			# kept (a newline inside quotes stays one): \037 for \n
			(my $raw = $c) =~ s/\s+#[^'"\n]*$//;
			$raw =~ s/^([0-9*\/,-]+\s+){5}//;
			$raw =~ s/\n/\037/g;
			my (@need, @segs, $progs);
			for my $s (segments($run)) {
				$s =~ s/\s[0-9]?[<>]\s*\S+//g;	# redirections
				$s =~ s/^\s+|\s+$//g;
				my ($w) = $s =~ /^(?:\w+=\S+\s+)*(\S+)/ or next;
				push @segs, $s if $w =~ /^alpr-/;
				if ($w =~ m{^(alpr-|scripts/)} ||
				    system("command -v '$w' >/dev/null 2>&1") == 0) {
					$progs++;
					push @need, $w if $w =~ /^alpr-/ &&
					    system("command -v '$w' >/dev/null 2>&1");
				} else {
					push @need, $w;
				}
			}
			if (!$progs && !@segs) {
				print "data $name $one\n";
				next;
			}
			printf "cmd %s %s %s\n", $name,
			    @need ? join(",", @need) : "-", $raw;
			print "seg $name $_\n" for @segs;
		}
	}
}
PL
perl extract.pl "$top"/man/*.[157] >examples || exit 1
nseg=$(grep -c '^seg ' examples)
ncmd=$(grep -c '^cmd ' examples)
plan $((nseg + ncmd + 1))
ok "$(test "$ncmd" -ge 15; echo $?)" "examples found ($ncmd commands, $nseg alpr programs)"

# Why a command cannot run here, or nothing when it can.
cannot() {
	case $1 in
	*ssh\ *|*rsync\ *) echo "needs another host" ;;
	*http://10.*|*rtsp://*) echo "needs a camera" ;;
	*" -w "*) echo "watches a folder until killed" ;;
	*/dev/tty*) echo "writes to a terminal" ;;
	*scripts/bench-*|*scripts/fit-*|*scripts/train-*)
		echo "a benchmark or a fit of minutes: run by hand" ;;
	*/var/lib/*|*/etc/alpr/*) echo "needs an installed system" ;;
	*alpr-store\ *|*alpr-purge*|*alpr-export\ *|*MANIFEST*)
		echo "needs a store with its accounts logged in (tests 08*)" ;;
	esac
}

# The files the examples name.
F=$T/fx
mkdir -p "$F/photos" "$F/cam3" "$F/cp"
cd "$F" || exit 1
export ALPR_SPOOL=$F/spool ALPR_LOG=$F/log
for f in "$top"/samples/frame*.jpg; do
	cp "$f" .; cp "$f" photos/; cp "$f" cam3/
done
cp frame1.jpg a.jpg
cp frame2.jpg b.jpg
for l in hotlist stolen-plates ncic bolo hot; do cp "$top/samples/hotlist.csv" $l.csv; done
alpr-capture frame*.jpg 2>/dev/null | alpr-detect >frames.ndjson 2>/dev/null
alpr-ocr frames.ndjson >reads.ndjson 2>/dev/null
alpr-audit -d log init -o example.gov/log >alpr-log.pub 2>/dev/null
# a log long enough for "prove 40177", with a plate searched under two cases
awk 'BEGIN { for (i = 0; i < 40200; i++)
	printf "{\"type\":\"access\",\"v\":1,\"user\":\"%s\",\"action\":\"search\",\"plate\":\"%s\",\"purpose\":\"investigation\",\"case\":\"26-%04d\",\"reason\":\"stolen vehicle report 26-%04d\"}\n",
	    i % 100 ? "asmith" : "jdoe", i % 100 ? "5XYZ" i % 1000 : "7ABC123", i % 7, i % 7 }' |
	alpr-audit -d log append -b >/dev/null 2>&1
alpr-audit -d log checkpoint >cp/2026-11-15-09 2>/dev/null
cp cp/2026-11-15-09 checkpoint-last-week.txt
echo '{"type":"access","v":1,"action":"search","plate":"8XYZ999","purpose":"patrol","reason":"alert on patrol"}' |
	alpr-audit -d log append >/dev/null 2>&1
alpr-audit -d log checkpoint >/dev/null 2>&1

while read -r kind page text; do
	case $kind in
	seg)
		p=$(eval "set -f; set -- $text"; for w do case $w in
			*=*) ;; *) echo "$w"; break ;; esac; done)
		if ! command -v "$p" >/dev/null; then
			skip "$page: $text: its options are known" "$p is not built here"
			continue
		fi
		(eval "set -f; set -- $text"; env "$@" --help) >/dev/null 2>"$T/err"
		s=$?
		[ $s = 0 ] || sed 's/^/# /' "$T/err"
		ok $s "$page: $text: its options are known"
		;;
	cmd)
		need=${text%% *}
		text=${text#* }
		run=$(printf '%s' "$text" | tr '\037' '\n')
		text=$(printf '%s' "$text" | tr '\037' ' ')
		why=$(cannot "$text")
		[ "$need" = - ] || why="needs $need"
		if [ -n "$why" ]; then
			skip "$page: $text" "$why"
			continue
		fi
		timeout 120 bash -o pipefail -c "$run" >"$T/out" 2>"$T/err" </dev/null
		s=$?
		[ $s = 0 ] || { echo "# exit $s"; sed 's/^/# /' "$T/err" | head -10; }
		ok $s "$page: $text: runs"
		;;
	esac
done <"$T/examples"
done_testing
