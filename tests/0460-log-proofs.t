#!/bin/sh
# alpr-audit prove and verify-proof: inclusion proofs anyone can check.
. "$(dirname "$0")/lib.sh"
plan 19
L=$T/log
export ALPR_LOG_NOW=2026-05-04T12:00:00.00Z
alpr-audit -d "$L" init -o example.gov/log >"$T/pub" 2>/dev/null
i=0; while [ $i -lt 11 ]; do
	echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"P$i\"}"
	i=$((i + 1))
done | alpr-audit -d "$L" append -b

ALPR_USER=auditor check "prove an entry" alpr-audit -d "$L" prove -k "$T/pub" 7
cp "$T/out" "$T/proof"
like "an inclusion-proof record with the entry and the checkpoint" "$(cat "$T/proof")" \
	'^\{"type":"inclusion-proof","v":1,"seq":7,"size":11,"entry":"\{\\"type\\":\\"access\\",\\"v\\":1,\\"seq\\":7,.*"proof":\["[A-Za-z0-9+/]{43}=","[A-Za-z0-9+/]{43}=","[A-Za-z0-9+/]{43}=","[A-Za-z0-9+/]{43}="\],"checkpoint":"example.gov/log\\n11\\n'
like "proving is logged as a reading of the log" "$(tail -1 "$L/log.ndjson")" \
	'"user":"auditor",.*"action":"log-read","purpose":"audit","data":"inclusion proof","entry":7'
check "the proof verifies" alpr-audit -d "$L" verify-proof -k "$T/pub" "$T/proof"
is "and says so" "$(cat "$T/out")" \
	"good: entry 7 is in the log of 11 entries signed at 2026-05-04T12:00:00.00Z"
check "from standard input too" sh -c "alpr-audit -d '$L' verify-proof <'$T/proof'"
is "and says so" "$(cat "$T/out")" \
	"good: entry 7 is in the log of 11 entries signed at 2026-05-04T12:00:00.00Z"

# Each hash of the proof replaced by another valid hash: all refused.
n=0; caught=0
for h in $(grep -o '"proof":\[[^]]*\]' "$T/proof" | grep -o '[A-Za-z0-9+/]\{43\}='); do
	n=$((n + 1))
	sed "s|$h|47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=|" "$T/proof" >"$T/p2"
	alpr-audit -d "$L" verify-proof "$T/p2" >/dev/null 2>"$T/err"
	# refused: status 1, saying so (not a crash)
	if [ $? = 1 ] && grep -q 'proof rejected: proof does not lead to the root' "$T/err"; then
		caught=$((caught + 1))
	else
		echo "# hash $n replaced: not refused as wrong"
	fi
done
is "every replaced proof hash is refused" "$caught of $n" "4 of 4"
like "saying the path does not reach the root" "$(cat "$T/err")" \
	"p2:1: proof rejected: proof does not lead to the root"

sed 's/\\"plate\\":\\"P7\\"/\\"plate\\":\\"P8\\"/' "$T/proof" >"$T/p3"
check_status 1 "a changed entry is refused" alpr-audit -d "$L" verify-proof "$T/p3"
like "its hash does not reach the root" "$(cat "$T/err")" "proof does not lead to the root"
sed 's/"seq":7,"size"/"seq":6,"size"/' "$T/proof" >"$T/p4"
check_status 1 "a proof moved to another entry is refused" alpr-audit -d "$L" verify-proof "$T/p4"
like "the entry says otherwise" "$(cat "$T/err")" "entry's seq is not the proof's"
sed 's/\\n11\\n/\\n12\\n/' "$T/proof" >"$T/p5"
check_status 1 "a proof whose checkpoint was altered is refused" \
	alpr-audit -d "$L" verify-proof "$T/p5"
like "the signature fails" "$(cat "$T/err")" "checkpoint signature does not verify"
alpr-audit -d "$T/other" init -o example.gov/log >"$T/otherpub" 2>/dev/null
check_status 1 "a proof checked against another log's keys is refused" \
	alpr-audit -d "$T/other" verify-proof "$T/proof"
like "named" "$(cat "$T/err")" "checkpoint signature does not verify with the log's keys"

check_status 1 "no proof for an entry beyond the checkpoint" \
	alpr-audit -d "$L" prove 99
like "says why" "$(cat "$T/err")" "entry 99 is not under a signed checkpoint"
done_testing
