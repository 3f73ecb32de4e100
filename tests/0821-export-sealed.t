#!/bin/sh
# alpr-export --encrypt: a bundle sealed into one file under a passphrase
# (Argon2id, libsodium secretstream) for media that leave the building: no
# plate, position, name or frame byte in it; a wrong passphrase, a stream
# cut short, reordered, repeated or lengthened is refused and leaves
# nothing behind; opened with the passphrase, it verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 21

mkstore || { echo "Bail out! no store"; exit 1; }
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c cam9 --lat 38.581572 --lon -121.494400 "$top/samples/frame1.jpg" \
	"$top/samples/frame2.jpg" "$top/samples/frame3.jpg" >"$T/frames.ndjson" 2>/dev/null
perl -MJSON::PP -ne '
	my $f = decode_json($_); my @p = ("7ABC123", "8XYZ402", "KDW4417");
	$f->{type} = "read"; $f->{plate} = $p[$. - 1]; $f->{conf} = 90;
	$f->{box} = [10, 20, 100, 50];
	$f->{candidates} = [{ plate => $p[$. - 1], conf => 90 },
	    { plate => "Q" . substr($p[$. - 1], 1), conf => 50 }];
	print JSON::PP->new->canonical->encode($f), "\n";
' "$T/frames.ndjson" >"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
as sgt.moreno alpr-store hold add -C 26-0117 -R "vehicles seen at the burglary on Main St" \
	--near 38.5816,-121.4944 --radius 100 >/dev/null 2>&1
as sgt.moreno alpr-export key >"$T/agency.vkey" 2>/dev/null
printf 'Evidence-Locker-Passphrase-2026\n' >"$T/pass"
printf 'Not-The-Right-One-2026-x\n' >"$T/wrong"
X="-C 26-0117 -R evidence_for_the_court_in_the_burglary_case"
xp() { as sgt.moreno alpr-export --encrypt --passphrase-file "$@"; }

check "a sealed bundle is exported" xp "$T/pass" $X "$T/case.alprx"
check "... or to standard output" sh -c "SUDO_USER=sgt.moreno SUDO_UID=$(id -u) alpr-export --encrypt --passphrase-file '$T/pass' $X - >'$T/stdout.alprx'"
ok $([ -s "$T/stdout.alprx" ]; echo $?) "... which is a sealed bundle too"
like "the log says it was sealed" "$(entries export | tail -1)" '"output":"-","sealed":true'
check_status 2 "a plain bundle does not go to standard output" \
	as sgt.moreno alpr-export $X -
printf 'password\n' >"$T/weak"
check_status 1 "a weak passphrase is refused" xp "$T/weak" $X "$T/weak.alprx"
ok $([ ! -e "$T/weak.alprx" ]; echo $?) "... and nothing is made"

# what must not be in it: plates and candidates, positions, the camera,
# read ids, the agency's name, the files' names, 64 bytes of each frame
{
	printf '%s\n' 7ABC123 8XYZ402 KDW4417 QABC123 Q8XYZ402 38.581572 121.4944 cam9 \
		"Test Police Department" reads.ndjson CUSTODY MANIFEST frames/ custody
	perl -MJSON::PP -ne 'print decode_json($_)->{id}, "\n"' "$T/reads.ndjson"
	for f in 1 2 3; do
		perl -e 'local $/; open my $f, "<:raw", shift; my $d = <$f>;
			for (my $o = 4000; $o < length $d; $o += 97) {
				my $c = substr $d, $o, 64;
				if ($c !~ /[\n\0]/) { print $c, "\n"; last }
			}' "$top/samples/frame$f.jpg"
	done
} >"$T/needles"
like "the needles are found where they stand in plain" \
	"$(LC_ALL=C grep -aFl -f "$T/needles" "$T/reads.ndjson" "$top/samples/frame2.jpg" | wc -l)" "^2$"
is "no plate, position, name or frame bytes in the sealed bundles" \
	"$(LC_ALL=C grep -aFl -f "$T/needles" "$T/case.alprx" "$T/stdout.alprx")" ""

check_status 1 "a wrong passphrase is refused" \
	alpr-export open --passphrase-file "$T/wrong" "$T/case.alprx" "$T/opened"
like "... saying so" "$(cat "$T/err")" "the passphrase is wrong"
ok $([ ! -e "$T/opened" ]; echo $?) "... leaving nothing"
check "the passphrase opens it" alpr-export open --passphrase-file "$T/pass" "$T/case.alprx" "$T/opened"
check "... into a bundle that verifies with the agency's key" \
	alpr-export verify -k "$T/agency.vkey" "$T/opened"
check "a sealed bundle from standard input opens too" \
	sh -c "alpr-export open --passphrase-file '$T/pass' - '$T/opened2' <'$T/stdout.alprx'"
check_status 1 "open never writes into a folder that exists" \
	alpr-export open --passphrase-file "$T/pass" "$T/case.alprx" "$T/opened"

# the stream attacked: its messages, found with the sizes of the files
# opened (in the order the manifest lists them, then MANIFEST and its
# signature); each file is a header message (2 bytes of length, then it)
# and, unless empty, one message of its bytes and 17 of tag
(cd "$T/opened" && sed '1,/^$/d' MANIFEST | awk '{ print $2 }'; echo MANIFEST; echo MANIFEST.sig) |
	while read -r f; do stat -c %s "$T/opened/$f"; done >"$T/sizes"
attack() {	# what: a copy of case.alprx with its messages changed
	perl -e '
		my ($what, $sizes, $in, $out) = @ARGV;
		open my $s, "<", $sizes or die; my @size = map { chomp; $_ } <$s>;
		open my $f, "<:raw", $in or die; local $/; my $d = <$f>;
		my $at = 22 + 16 + 16 + 24; my @seg;
		for my $n (@size) {
			my $hl = unpack "n", substr($d, $at, 2);
			my $len = 2 + $hl + ($n ? $n + 17 : 0);
			push @seg, substr($d, $at, $len); $at += $len;
		}
		my ($head, $final) = (substr($d, 0, 78), substr($d, $at));
		@seg[1, 3] = @seg[3, 1] if $what eq "swap";
		splice @seg, 1, 0, $seg[1] if $what eq "repeat";
		$final = "" if $what eq "nofinal";
		$final .= "x" if $what eq "append";
		open my $o, ">:raw", $out or die; print $o $head, @seg, $final;
	' "$1" "$T/sizes" "$T/case.alprx" "$T/attacked"
}
bad=0
for a in swap repeat nofinal append; do
	attack $a
	rm -rf "$T/o"
	alpr-export open --passphrase-file "$T/pass" "$T/attacked" "$T/o" 2>"$T/err"
	s=$?
	if [ $s != 1 ] || [ -e "$T/o" ] || ! grep -q "damaged, cut short or reordered\|bytes after the end" "$T/err"; then
		echo "# $a: exit $s: $(cat "$T/err")"; bad=$((bad + 1))
	fi
done
is "two files swapped, one repeated, the final message dropped, a byte added: each refused, nothing left" "$bad" 0
attack none
cmp -s "$T/attacked" "$T/case.alprx"
ok $? "(the attacks cut the stream where its messages are)"
size=$(stat -c %s "$T/case.alprx")
bad=0
for cut in 100 $((size / 2)) $((size - 1)); do
	head -c $cut "$T/case.alprx" >"$T/cut"
	rm -rf "$T/o"
	alpr-export open --passphrase-file "$T/pass" "$T/cut" "$T/o" 2>"$T/err"
	s=$?
	[ $s = 1 ] && [ ! -e "$T/o" ] || { echo "# cut at $cut: exit $s: $(cat "$T/err")"; bad=$((bad + 1)); }
done
is "a stream cut short anywhere is refused, nothing left" "$bad" 0
perl -e 'open my $f, "+<", shift; seek $f, 3000, 0; read $f, my $c, 1; seek $f, 3000, 0; print $f chr(ord($c) ^ 1)' "$T/case.alprx"
check_status 1 "a bit flipped is refused" alpr-export open --passphrase-file "$T/pass" "$T/case.alprx" "$T/o"
ok $([ ! -e "$T/o" ]; echo $?) "... leaving nothing"
done_testing
