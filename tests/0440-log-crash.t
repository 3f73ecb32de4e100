#!/bin/sh
# Durability: a crash mid-append, two writers at once, a log that cannot be
# written.
. "$(dirname "$0")/lib.sh"
plan 18
L=$T/log
export ALPR_LOG_NOW=2026-02-01T10:00:00.00Z
entry() { echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"$1\"}"; }
alpr-audit -d "$L" init -o example.gov/log >"$T/pub" 2>/dev/null
{ entry A1; entry A2; } | alpr-audit -d "$L" append

# A writer died half way through an entry.
printf '{"type":"access","v":1,"seq":2,"time":"2026-02-01T10:00:00.00Z","us' >>"$L/log.ndjson"
check "a log with an incomplete last entry verifies up to the entry before" \
	alpr-audit -d "$L" verify -k "$T/pub"
like "and says what it found" "$(cat "$T/err")" \
	"log.ndjson:3: incomplete last entry of 67 bytes \(a writer crashed"
junk=$(tail -c 67 "$L/log.ndjson" | sha256sum | cut -c1-64)
entry A3 >"$T/a3"
ALPR_USER=carol check "the next writer appends" alpr-audit -d "$L" append "$T/a3"
sed -n 3p "$L/log.ndjson" >"$T/repair"
like "after an entry that says it repaired the log" "$(cat "$T/repair")" \
	'"seq":2,.*"action":"repair","outcome":"ok","reason":"incomplete entry of 67 bytes at offset [0-9]+ of log.ndjson removed \(a writer crashed during an append\)"'
like "naming the hash of what it removed" "$(cat "$T/repair")" "\"removed_sha256\":\"$junk\""
like "then the new entry" "$(sed -n 4p "$L/log.ndjson")" '"seq":3,.*"user":"carol".*"plate":"A3"'
check "the repaired log verifies" alpr-audit -d "$L" verify -k "$T/pub"

# Two analysts searching at once: flock serialises them.
i=0; while [ $i -lt 60 ]; do entry "X$i"; i=$((i + 1)); done >"$T/x"
i=0; while [ $i -lt 60 ]; do entry "Y$i"; i=$((i + 1)); done >"$T/y"
ALPR_USER=xavier alpr-audit -d "$L" append "$T/x" & p1=$!
ALPR_USER=yvonne alpr-audit -d "$L" append "$T/y" & p2=$!
wait $p1; s1=$?; wait $p2; s2=$?
is "both writers succeed" "$s1 $s2" "0 0"
is "every entry is there once" "$(grep -c '"user":"xavier"' "$L/log.ndjson") $(grep -c '"user":"yvonne"' "$L/log.ndjson")" "60 60"
is "sequence numbers run without gaps" \
	"$(sed 's/.*"seq":\([0-9]*\),.*/\1/' "$L/log.ndjson" | sort -n | uniq | wc -l) $(wc -l <"$L/log.ndjson")" "124 124"
check "the log verifies after concurrent writers" alpr-audit -d "$L" verify -k "$T/pub"

# The writers' cache of the tree is wrong: it is not trusted.
sed 's|"stack":\["[A-Za-z0-9+/]*=*"|"stack":["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="|' "$L/state" >"$T/state"
ok $(cmp -s "$T/state" "$L/state"; echo $((! $?))) "the tree cache is changed"
mv "$T/state" "$L/state"
entry W1 >"$T/w1"
check "a writer with a corrupt tree cache reads the log whole" alpr-audit -d "$L" append "$T/w1"
check "and the log verifies" alpr-audit -d "$L" verify -k "$T/pub"

# The signing key cannot be read: nothing is logged, the caller is told.
mv "$L/secret/key" "$T/key"
n=$(wc -l <"$L/log.ndjson")
entry Z1 >"$T/z1"
check_status 3 "an append that cannot be signed fails" alpr-audit -d "$L" append "$T/z1"
like "saying why" "$(cat "$T/err")" "unable to read the signing key .*secret/key"
is "and the log is unchanged" "$(wc -l <"$L/log.ndjson")" "$n"
mv "$T/key" "$L/secret/key"
check "the log still verifies" alpr-audit -d "$L" verify -k "$T/pub"
done_testing
