#!/bin/sh
# alpr-match: pass-through, -a, -x, bad records, flushing; the fast scan
# agrees with the full parser.
. "$(dirname "$0")/lib.sh"
plan 25

printf 'plate,category,reason\n7ABC123,stolen-vehicle,taken\n' >"$T/list.csv"
cat >"$T/in" <<'R'
{"type":"frame","v":1,"id":"f1","plate":"7ABC123","extra":{"k":[1,2.5e3,null]}}
{"type":"read","v":1,"id":"r1","plate":"NOPE12","unknown":{"deep":["x"]},"conf":87.5}
{"type":"read","v":1,"id":"r2","plate":"7ABC123","note":"caf\u00e9","box":[1,2,3,4]}
{"type":"read","v":1,"id":"r3","plate":"7ABC123","hits":[{"list":"earlier"}]}
{"type":"read","v":1,"id":"r4","plate":"7ABC123"
{"type":"read","v":1,"id":"r5","plate":"7ABC123","plate":"X"}
{"type":"read","v":9,"id":"r6","plate":"7ABC123"}
{"type":"read","v":1,"id":"r7"}
R
check_status 1 "bad records make exit status 1" alpr-match -l "$T/list.csv" "$T/in"
is "records of other types pass through untouched" "$(sed -n 1p "$T/out")" \
	'{"type":"frame","v":1,"id":"f1","plate":"7ABC123","extra":{"k":[1,2.5e3,null]}}'
is "reads without hits pass through untouched" "$(sed -n 2p "$T/out")" \
	'{"type":"read","v":1,"id":"r1","plate":"NOPE12","unknown":{"deep":["x"]},"conf":87.5}'
like "a read with hits is unchanged but for hits, added last" "$(sed -n 3p "$T/out")" \
	'^\{"type":"read","v":1,"id":"r2","plate":"7ABC123","note":"caf\\u00e9","box":\[1,2,3,4\],"hits":\[\{"list":"list",.*\}\]\}$'
like "hits already there are kept, the new ones follow" "$(sed -n 4p "$T/out")" \
	'"id":"r3",.*"hits":\[\{"list":"earlier"\},\{"list":"list",'
is "a read without a plate passes" "$(sed -n 5p "$T/out")" '{"type":"read","v":1,"id":"r7"}'
is "and nothing else is written" "$(wc -l <"$T/out")" 5
like "a bad line is named by file and line" "$(cat "$T/err")" \
	"alpr-match: $T/in:5: bad JSON"
like "a duplicate key is refused" "$(cat "$T/err")" "$T/in:6: bad JSON"
like "an unknown version is refused" "$(cat "$T/err")" \
	"$T/in:7: record format version not supported"

# -a: alerts only.
check_status 1 "-a" alpr-match -a -l "$T/list.csv" "$T/in"
is "prints one alert for each read with hits" "$(wc -l <"$T/out")" 2
like "an alert holds the read as it came and its hits" "$(sed -n 1p "$T/out")" \
	'^\{"type":"alert","v":1,"time":"[0-9-]+T[0-9:.]+Z","read":\{"type":"read","v":1,"id":"r2",[^}]*\},"hits":\[\{"list":"list",.*"match":"exact"'

# -x: the command gets the alert on stdin, the first hit in its environment,
# and its output goes to stderr, not into the record stream.
sed -n 2,3p "$T/in" >"$T/two"
check "-x" alpr-match -l "$T/list.csv" \
	-x "cat >'$T/alert'; echo \"said \$ALPR_PLATE \$ALPR_LIST \$ALPR_CATEGORY \$ALPR_MATCH\"" "$T/two"
like "the command got the alert on stdin" "$(cat "$T/alert")" \
	'^\{"type":"alert","v":1,.*"read":\{"type":"read","v":1,"id":"r2",.*"hits":\[\{"list":"list",'
like "and the first hit in its environment, its output on stderr" "$(cat "$T/err")" \
	"said 7ABC123 list stolen-vehicle exact"
is "the records still pass" "$(wc -l <"$T/out")" 2
check_status 1 "a failing -x command is reported" alpr-match -l "$T/list.csv" -x 'exit 4' "$T/two"
like "with its exit status" "$(cat "$T/err")" "-x command exited 4"

# Output is flushed at once: an alert does not wait for more input.
mkfifo "$T/fifo"
( sed -n 3p "$T/in"; exec sleep 30 ) >"$T/fifo" &
feeder=$!
alpr-match -l "$T/list.csv" <"$T/fifo" >"$T/live" 2>/dev/null &
matcher=$!
i=0
while [ $i -lt 100 ] && ! grep -q hits "$T/live" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
is "the hit is out while the input is still open" "$(grep -c hits "$T/live")" 1
kill $feeder $matcher 2>/dev/null
wait 2>/dev/null

# The fast scan of a line and the full parse agree.
cat >"$T/scan" <<'R'
{"type":"read","v":1,"plate":"A","candidates":[{"plate":"B","conf":1},{"conf":2,"plate":"C"}]}
{"candidates":[{"plate":"B"}],"v":1,"type":"read","plate":"A"}
  {"type":"frame","v":1,"a":{"b":[true,false,null,-0.5e-3,0,1E+2]}}  
{"type":"read","v":1,"hits":[]}
{"type":"read","v":1,"candidates":["A",{"plate":"B"},{"x":{"plate":"C"}}],"z":{"plate":"D"}}
{"type":"read","v":1,"plate":"A","plate":"B"}
{"type":"read","v":1,"x":{"k":1,"k":2}}
{"type":"read","v":1.0}
{"type":"read","v":-1}
{"type":"read","v":1,"plate":"\u0041"}
{"type":"read","v":1,"n":01}
{"type":"read","v":1,"n":1.}
{"type":"read","v":1,"n":123456789012345678901234567890}
{"type":"read","v":1} x
{"type":"read","v":1,}
{"type":"read","v":1,"a":[1,]}
{}
{"type":"read","v":1,"a":"\u0000"}
{"type":"read","v":1,"a":"\udc00"}
{"type":"read","v":1,"a":1,"\u0061":2}
{"type":"read","v":1,"n":1234567890123456789}
{"type":"read","v":1,"n":1e400}
R
check "match-scan runs" match-scan <"$T/scan"
is "the scan takes what it can and agrees with jansson" "$(sed -n 1,5p "$T/out")" \
"scan read 1 A,B,C
scan read 1 A,B
scan frame 1
scan read 1 hits
scan read 1 B"
is "and leaves the rest to the full parser" "$(sed -n '6,$p' "$T/out" | sort -u)" "unsure"
# 40 candidates: the first plates kept (32 with the read's own), the rest
# counted; one of those escaped (written so by another tool) leaves the
# line to the full parser, which reads it
cands() {	# N [ESCAPED]: a read with N candidates, the ESCAPED-th "\u0041"
	awk -v n="$1" -v e="${2:-0}" 'BEGIN {
		printf "{\"type\":\"read\",\"v\":1,\"plate\":\"A\",\"candidates\":["
		for (i = 1; i <= n; i++)
			printf "%s{\"plate\":\"%s\"}", (i > 1 ? "," : ""),
			    (i == e ? "\\u0041" : "P" i)
		print "]}" }'
}
{ cands 40; cands 40 35; cands 40 20; } >"$T/scan"
# a candidate whose "plate" is no string is no plate and takes no place
awk 'BEGIN { printf "{\"type\":\"read\",\"v\":1,\"plate\":\"A\",\"candidates\":["
	for (i = 1; i <= 32; i++) printf "{\"plate\":null},"
	print "{\"plate\":\"STOLEN1\"}]}" }' >>"$T/scan"
check "match-scan runs on many candidates" match-scan <"$T/scan"
is "the scan keeps 32 plates and counts the rest, leaves an escaped one to the parser" \
	"$(cat "$T/out")" "scan read 1 A$(seq -f ',P%g' 1 31 | tr -d '\n') +9
unsure
unsure
scan read 1 A,STOLEN1"
