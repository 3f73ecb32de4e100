#!/bin/sh
# An insider with root and a key, a wrong clock, a crash, an entry too big:
# each attack or accident is run against the access log and must be caught
# (or refused) with a message that says what happened.
. "$(dirname "$0")/lib.sh"
plan 45
L=$T/log
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
entry() { echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"$1\"}"; }
verify() { alpr-audit -d "$L" verify -k "$T/pub" "$@"; }
lines() { wc -l <"$1" | tr -d ' '; }

at 2026-01-05T09:10:00.00Z		# window 0 is 09:00-10:00
alpr-audit -d "$L" init -o example.gov/log -w 3600 -n 2 >"$T/pub" 2>/dev/null
at 2026-01-05T09:15:00.00Z; { entry A1; entry A2; } | alpr-audit -d "$L" append
cp "$L/secret/key" "$T/backup0"		# a backup of secret/ in window 0
at 2026-01-05T09:20:00.00Z; { entry A3; entry A4; } | alpr-audit -d "$L" append
at 2026-01-05T10:10:00.00Z; entry B1 | alpr-audit -d "$L" append
at 2026-01-05T10:20:00.00Z
check "the log verifies" verify
rm -rf "$T/good" && cp -a "$L" "$T/good"
restore() { rm -rf "$L" && cp -a "$T/good" "$L"; }

# 1. With window 1's key (the one on disk), rewrite window 0: keep its
# first checkpoint, drop the others, change an entry, sign anew in window 1.
head -n 1 "$T/good/checkpoints.ndjson" >"$L/checkpoints.ndjson"
sed 's/"plate":"A3"/"plate":"Z9"/' "$T/good/log.ndjson" >"$L/log.ndjson"
rm -f "$L/state"
check "the insider signs the rewritten log with the current key" \
	alpr-audit -d "$L" checkpoint
check_status 1 "verify -k catches the rewrite of the previous window" verify
like "window 0's closing checkpoint is missing" "$(cat "$T/err")" \
	"checkpoints.ndjson:1: the last checkpoint of window 0 has 0 entries, but the window closed with 4 \(keys.ndjson:2\): checkpoints removed"
like "and the entries differ from what window 0's key pinned" "$(cat "$T/err")" \
	"entries 0 to 3 do not match the tree the key record of window 1 \(keys.ndjson:2\) pins as window 0 closed"
restore
# The same, the changed entries moved into window 1 by their times.
head -n 1 "$T/good/checkpoints.ndjson" >"$L/checkpoints.ndjson"
sed 's/"plate":"A3"/"plate":"Z9"/; s/T09:20:00.00Z/T10:05:00.00Z/' "$T/good/log.ndjson" >"$L/log.ndjson"
rm -f "$L/state"
alpr-audit -d "$L" checkpoint >/dev/null 2>&1
check_status 1 "and when the rewritten entries are re-dated into window 1" verify
like "that is named" "$(cat "$T/err")" \
	"log.ndjson:3: entry 2: dated in window 1, but window 0 closed after it \(keys.ndjson:2\): re-dated"
restore

# 2. A backup of secret/ taken in window 0 is worth nothing later: keys are
# fresh randomness, not derived from the one before.
at 2026-01-05T12:10:00.00Z; entry C1 | alpr-audit -d "$L" append
at 2026-01-05T12:20:00.00Z
rm -rf "$T/thief" && cp -a "$L" "$T/thief" && rm -rf "$T/thief/secret" "$T/thief/state"
mkdir -m 700 "$T/thief/secret"
log-attack derive "$T/backup0" 3 >"$T/thief/secret/key"
sed 's/"plate":"C1"/"plate":"Z9"/' "$L/log.ndjson" >"$T/thief/log.ndjson"
grep -v 'time 2026-01-05T12' "$L/checkpoints.ndjson" >"$T/thief/checkpoints.ndjson"
alpr-audit -d "$T/thief" checkpoint >/dev/null 2>&1
check_status 1 "a window 3 checkpoint signed with a key derived from the backup" \
	alpr-audit -d "$T/thief" verify -k "$T/pub"
like "does not verify" "$(cat "$T/err")" \
	"checkpoints.ndjson:[0-9]+: checkpoint signature does not verify with the log's keys"
ok $(grep -q "$(sed -n 3p "$T/backup0")" "$L/secret/key"; echo $((! $?))) \
	"the backed-up seed is not the current one"
check "the real log still verifies" verify
rm -rf "$T/good" && cp -a "$L" "$T/good"

# 3. A clock a day ahead is refused, and nothing is written.
at 2026-01-06T12:30:00.00Z
k=$(lines "$L/keys.ndjson") n=$(lines "$L/log.ndjson") c=$(lines "$L/checkpoints.ndjson")
entry D1 >"$T/d1"
check_status 3 "an append with the clock a day ahead is refused" \
	alpr-audit -d "$L" append "$T/d1"
like "saying why and what to do" "$(cat "$T/err")" \
	"the clock says 2026-01-06T12:30:00.00Z, more than 43200 seconds after the log's latest time 2026-01-05T12:10:00.00Z: not signing; if the clock is right, run alpr-audit checkpoint -c reason"
is "no entry, key or checkpoint was written" \
	"$(lines "$L/log.ndjson") $(lines "$L/keys.ndjson") $(lines "$L/checkpoints.ndjson")" "$n $k $c"
check_status 3 "so is a checkpoint" alpr-audit -d "$L" checkpoint
rm -rf "$T/ep" && cp -a "$L" "$T/ep"
sed 's/"epoch": "2026-01-05/"epoch": "2025-01-05/' "$L/config.json" >"$T/ep/config.json"
at 2026-01-05T12:30:00.00Z
check_status 3 "a writer whose config's epoch moved back a year signs nothing" \
	alpr-audit -d "$T/ep" append "$T/d1"
like "rather than a year of keys" "$(cat "$T/err")" \
	"the clock is in window 87[0-9]{2}, the signing key's is 3: not signing for so many windows at once"
at 2026-01-06T12:30:00.00Z
check_status 2 "the override wants a reason" alpr-audit -d "$L" checkpoint -c ok
ALPR_USER=admin check "checkpoint -c accepts the clock, with a reason" \
	alpr-audit -d "$L" checkpoint -c "clock set by hand after a power cut"
like "and the jump is logged first" "$(grep clock-jump "$L/log.ndjson")" \
	'"user":"admin",.*"action":"clock-jump","outcome":"ok","reason":"clock set by hand after a power cut","from":"2026-01-05T12:10:00.00Z","to":"2026-01-06T12:30:00.00Z"'
check "then appends go on" alpr-audit -d "$L" append "$T/d1"
check "and the log verifies" verify
# A verifier whose clock is behind the log's reports it.
at 2026-01-06T12:00:00.00Z
check_status 1 "verify reports checkpoints from its own future" verify
like "naming them" "$(cat "$T/err")" \
	"checkpoints.ndjson:[0-9]+: checkpoint is dated 2026-01-06T12:30:00.00Z, after this machine's clock \(2026-01-06T12:00:00.00Z\): the log's clock ran ahead, or this one is behind"
at 2026-01-06T12:40:00.00Z

# 4. Torn last lines of checkpoints.ndjson and keys.ndjson (a power cut).
rm -rf "$T/good" && cp -a "$L" "$T/good"
printf '{"type":"checkpoint","v":1,"note":"example.gov/log\\n2' >>"$L/checkpoints.ndjson"
check_status 1 "verify reports a torn checkpoint record" verify
like "as what a crash leaves" "$(cat "$T/err")" \
	"checkpoints.ndjson:[0-9]+: incomplete last record of 53 bytes: a writer crashed during an append \(the next writer removes it and logs that\)"
entry E1 >"$T/e1"
check "the next writer neither crashes nor glues its record to it" \
	alpr-audit -d "$L" append "$T/e1"
like "it logs the repair with the hash of what it removed" "$(grep '"action":"repair"' "$L/log.ndjson")" \
	"\"reason\":\"incomplete checkpoint record of 53 bytes at offset [0-9]+ of checkpoints.ndjson removed \(a writer crashed during an append\)\",\"removed_sha256\":\"$(printf '{"type":"checkpoint","v":1,"note":"example.gov/log\\n2' | sha256sum | cut -c1-64)\""
check "and the log verifies" verify
printf '{"type":"log-key","v":2,"window":27,"key":"exa' >>"$L/keys.ndjson"
check_status 1 "verify reports a torn key record" verify
like "by file and line" "$(cat "$T/err")" "keys.ndjson:[0-9]+: incomplete last record of 46 bytes"
at 2026-01-06T14:10:00.00Z
check "a writer in a later window repairs it and certifies its keys" \
	alpr-audit -d "$L" append "$T/e1"
like "logged" "$(grep -c 'incomplete key record of 46 bytes' "$L/log.ndjson")" "^1$"
check "the log verifies" verify
like "with keys through window 29" "$(cat "$T/out")" "keys through window 29$"
cp "$L/keys.ndjson" "$T/keys"
sed '3a\
not a record' "$T/keys" >"$L/keys.ndjson"
check_status 1 "a garbage line in keys.ndjson fails verify" verify
like "named" "$(cat "$T/err")" "keys.ndjson:4: bad JSON"
cp "$T/keys" "$L/keys.ndjson"

# 5. One entry size limit, enforced at append.
big() { printf '{"type":"access","v":1,"action":"search","reason":"'; head -c "$1" /dev/zero | tr '\0' r; echo '"}'; }
big 70000 >"$T/big"
n=$(lines "$L/log.ndjson")
check_status 1 "an entry over the limit is refused" alpr-audit -d "$L" append "$T/big"
like "saying so" "$(cat "$T/err")" \
	"an entry of 70[0-9]{3} bytes is longer than the access log's limit of 65536: not logged"
is "nothing was logged" "$(lines "$L/log.ndjson")" "$n"
big 2000000 >"$T/big"
check_status 1 "a 2 MB entry too" alpr-audit -d "$L" append "$T/big"
big 65000 >"$T/big"
check "an entry under the limit is logged" alpr-audit -d "$L" append "$T/big"
check "and verifies" verify
{ cat "$L/log.ndjson"; big 70000; } >"$T/biglog" && cp "$T/biglog" "$L/log.ndjson"
check_status 1 "an entry over the limit put there by hand fails verify" verify
like "named" "$(cat "$T/err")" "log.ndjson:[0-9]+: entry [0-9]+ is longer than 65536 bytes"
done_testing
