#!/bin/sh
# Forward-secure keys: one per window, each certified by the one before,
# the old one erased; a checkpoint in every window, empty ones too.
. "$(dirname "$0")/lib.sh"
plan 18
L=$T/log
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
entry() { echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"$1\"}"; }
cps() { grep -o 'time [0-9T:.-]*Z' "$L/checkpoints.ndjson" | tr '\n' ' '; }

at 2026-01-05T09:10:00.00Z
alpr-audit -d "$L" init -o example.gov/log -w 3600 >"$T/pub" 2>/dev/null
at 2026-01-05T09:20:00.00Z
entry A1 | alpr-audit -d "$L" append
is "window 0: the genesis record only" "$(wc -l <"$L/keys.ndjson")" 1
cp "$L/secret/key" "$T/key0"
seed0=$(sed -n 3p "$T/key0")

at 2026-01-05T13:05:00.00Z
entry E1 | alpr-audit -d "$L" append
is "four windows later: four certified keys" \
	"$(grep -c '"type":"log-key"' "$L/keys.ndjson")" 4
is "the secret is now window 4's" "$(sed -n 2p "$L/secret/key")" 4
ok $(grep -q "$seed0" "$L/secret/key"; echo $((! $?))) "window 0's seed is gone from the key file"
is "a checkpoint in every window, the first and the empty ones at their start" "$(cps)" \
	"time 2026-01-05T09:00:00.00Z time 2026-01-05T09:20:00.00Z time 2026-01-05T10:00:00.00Z time 2026-01-05T11:00:00.00Z time 2026-01-05T12:00:00.00Z time 2026-01-05T13:00:00.00Z time 2026-01-05T13:05:00.00Z "
at 2026-01-05T13:10:00.00Z
check "the evolved log verifies" alpr-audit -d "$L" verify -k "$T/pub"
like "through window 4" "$(cat "$T/out")" "keys through window 4"

# Nothing ran for two windows: verify says checkpoints are missing.
at 2026-01-05T15:30:00.00Z
check_status 1 "a log left without checkpoints for two windows" \
	alpr-audit -d "$L" verify -k "$T/pub"
like "is reported" "$(cat "$T/err")" \
	"the last checkpoint is from 2026-01-05T13:05:00.00Z, 2 windows ago"
check "checkpoint (from cron) catches up" alpr-audit -d "$L" checkpoint
like "and prints the current checkpoint" "$(sed -n 4p "$T/out")" \
	"^time 2026-01-05T15:30:00.00Z$"
check "then the log verifies" alpr-audit -d "$L" verify -k "$T/pub"

# The clock goes back: entries stay in order.
at 2026-01-05T12:00:00.00Z
entry B1 | alpr-audit -d "$L" append
like "an entry made while the clock is behind takes the last time" \
	"$(tail -1 "$L/log.ndjson")" '"time":"2026-01-05T15:30:00.00Z"'
at 2026-01-05T15:31:00.00Z
check "and verifies" alpr-audit -d "$L" verify -k "$T/pub"

# A key certificate replaced by the attacker's own key.
cp "$L/keys.ndjson" "$T/keys"
other=$(alpr-audit -d "$T/other" init -o example.gov/log 2>/dev/null)
sed "3s|\"key\":\"[^\"]*\"|\"key\":\"$other\"|" "$T/keys" >"$L/keys.ndjson"
check_status 1 "a key certificate replaced" alpr-audit -d "$L" verify -k "$T/pub"
like "is not certified" "$(cat "$T/err")" \
	"keys.ndjson:3: key of window 2 is not certified by the key of window 1"
cp "$T/keys" "$L/keys.ndjson"

# An old key that should have evolved signs a checkpoint in a later window.
log-attack forge "$L" "$T/key0"
check_status 1 "re-signed with an old key" alpr-audit -d "$L" verify -k "$T/pub"
like "is refused" "$(cat "$T/err")" \
	"checkpoint claims window 1 but is signed with the key of window 0: the key had not evolved"
done_testing
