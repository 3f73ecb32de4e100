#!/bin/sh
# alpr-group: the reads of one pass become one read, candidates pooled, the
# best frame kept, its frames listed; other cameras, other places, other
# plates and later passes stay apart; a pass is written when the gap has
# passed, in frame time or in real time, and again while it goes on.
. "$(dirname "$0")/lib.sh"
plan 32

cd "$T" || exit 1

# rd ID SECONDS X PLATE CONF [CAMERA [CAND CONF]]: a read at 09:57:SECONDS,
# box X,400,100,50, its plate and a second candidate (by default the plate
# backwards, at 10).
rd() {
	printf '{"type":"read","v":1,"id":"%s","ts":"2026-11-22T09:57:%sZ","camera":"%s","src":"%s.jpg","plate":"%s","conf":%s,"box":[%s,400,100,50],"candidates":[{"plate":"%s","conf":%s},{"plate":"%s","conf":%s}],"region":"ca"}\n' \
		"$1" "$2" "${6-cam1}" "$1" "$4" "$5" "$3" "$4" "$5" \
		"${7-$(echo "$4" | rev)}" "${8-10}"
}
# field FILE EXPR: EXPR (perl, $r the record) for each record of FILE
field() {
	perl -MJSON::PP -e 'my $e = shift; open my $f, "<", shift or die;
		while (<$f>) { my $r = decode_json($_); my $v = eval $e;
		print defined $v ? $v : "", "\n" }' "$2" "$1"
}

# One pass: three frames a twenty-fifth of a second apart, the middle one
# reading an 8 for the B; a note between them passes through.
{
	rd a1 07.00 600 7ABC123 70
	rd a2 07.04 605 7A8C123 60 cam1 7ABC123 55
	echo '{"type":"note","v":1,"text":"kept"}'
	rd a3 07.08 610 7ABC123 90
} >one
check "a pass is read" alpr-group one
cp out one.out
is "one read for the pass, the note passed on first" \
	"$(field one.out '$r->{type}' | tr '\n' ' ')" "note read "
is "its frames listed in order" "$(field one.out 'join ",", @{$r->{frames} || []}' | sed -n 2p)" a1,a2,a3
is "its pass is named by its first frame and read" "$(field one.out '$r->{pass}' | sed -n 2p)" a1/1
is "the best frame kept: the most confident of the plate" \
	"$(field one.out '"$r->{id} $r->{src} @{$r->{box}}"' | sed -n 2p)" "a3 a3.jpg 610 400 100 50"
is "the plate is the pooled best" "$(field one.out '$r->{plate}' | sed -n 2p)" 7ABC123
# 7ABC123: best 90, mean (70 + 55 + 90) / 3 = 71.7: (90 + 71.7) / 2
is "its confidence pooled over the frames" "$(field one.out '$r->{conf}' | sed -n 2p)" 80.8
is "candidates pooled from every frame, distinct" \
	"$(field one.out 'join " ", map { $_->{plate} } @{$r->{candidates}}' | sed -n 2p)" \
	"7ABC123 7A8C123 321CBA7"
is "conf is the first candidate's" \
	"$(field one.out '$r->{conf} == $r->{candidates}[0]{conf} ? "yes" : "no"' | sed -n 2p)" yes
is "the region of the plate kept" "$(field one.out '$r->{region}' | sed -n 2p)" ca

# What keeps passes apart.
{
	rd b1 10.00 600 7ABC123 80
	rd b2 10.04 600 7ABC123 80 cam2
	rd b3 10.08 1100 7ABC123 80
	rd b4 10.12 605 5XYZ987 80
	rd b5 10.16 610 7ABC123 80
	rd b6 11.00 615 7ABC123 80
} >apart
check "reads of several passes" alpr-group apart
field out '$r->{pass} . ":" . join(",", @{$r->{frames}})' | sort >passes
is "another camera, another place, another plate, a later time: apart" \
	"$(tr '\n' ' ' <passes)" "b1/1:b1,b5 b2/1:b2 b3/1:b3 b4/1:b4 b6/1:b6 "
check "a longer gap" alpr-group -g 1 -w 5 apart
is "-g 1 joins the read 0.84 s later" \
	"$(field out '$r->{pass} . ":" . join(",", @{$r->{frames}})' | grep '^b1/')" "b1/1:b1,b5,b6"

# Two cars in one frame begin two passes of their own.
{
	rd g1 25.00 200 7ABC123 80
	rd g1 25.00 900 5XYZ987 80
	rd g2 25.04 205 7ABC123 80
	rd g2 25.04 905 5XYZ987 80
} >two
alpr-group two >out
is "two passes begun in one frame are told apart" \
	"$(field out '$r->{pass} . ":" . join(",", @{$r->{frames}})' | sort | tr '\n' ' ')" \
	"g1/1:g1,g2 g1/2:g1,g2 "

# Confusions and up to three other characters agree, more do not; a read
# joins a pass when it agrees with one of its last three reads.
{
	rd c1 20.00 600 8XYZ402 80
	rd c2 20.04 600 BXY24Q2 80
	rd c3 20.08 600 KLM2402 80
	rd c4 20.12 600 TTTT999 80
	rd c5 20.16 600 8XY2777 80
} >conf
alpr-group conf >out
is "8/B, Z/2, Q/0 and three other characters agree, more do not" \
	"$(field out 'join(",", @{$r->{frames}})' | sort | tr '\n' ' ')" "c1,c2,c3,c5 c4 "

# A pass that goes on is written every wait, each time whole so far.
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
	rd "d$i" "$(awk -v i="$i" 'BEGIN { printf "%05.2f", 30 + i / 10 }')" 600 6TRK915 80
done >long
check "a pass of 2.4 s" alpr-group long
is "written three times: at 1 s, at 2 s and at its end" "$(wc -l <out | tr -d ' ')" 3
is "all as one pass" "$(field out '$r->{pass}' | sort -u)" d0/1
is "each with all its frames so far" "$(field out 'scalar @{$r->{frames}}' | tr '\n' ' ')" "10 20 25 "
check "-w 5" alpr-group -w 5 long
is "a wait longer than the pass: written once" "$(wc -l <out | tr -d ' ')" 1

# In a live pipeline the input stays open: the gap passes in real time.
rd e1 40.00 600 4GHJ771 80 >live
{ cat live; sleep 2; cp out.live early; } | alpr-group -g 0.2 >out.live
is "a pass is written when the input has been idle for the gap" \
	"$(field early '$r->{pass}')" e1/1

# Bad input.
{
	echo '{"type":"read","v":1,"id":"x","plate":"ABC123"}'
	echo 'not json'
	rd f1 50.00 600 ABC123 80
} >bad
check_status 1 "bad reads make exit status 1" alpr-group bad
like "a read without a time named by file and line" "$(cat err)" \
	"^alpr-group: bad:1: read without a valid \"ts\""
like "bad JSON too" "$(cat err)" "^alpr-group: bad:2: bad JSON"
is "the read without a time passed on ungrouped, the good one grouped" \
	"$(field out '"$r->{id}:" . ($r->{pass} // "-")' | tr '\n' ' ')" "x:- f1:f1/1 "
check_status 2 "a gap of 0 is a usage error" alpr-group -g 0 one
like "saying so" "$(cat err)" "^alpr-group: bad -g '0'"
check_status 2 "-n out of range" alpr-group -n 0 one
check_status 3 "a missing file is a system error, as alpr(7) says" alpr-group nothere
like "named" "$(cat err)" "unable to open nothere"
done_testing
