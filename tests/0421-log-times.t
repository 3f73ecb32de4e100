#!/bin/sh
# An insider with root and the current key rewrites the access log: entries
# dated against the checkpoints around them, a checkpoint of fewer entries
# than the one before, an entry added to a window that closed, a key
# record that pins fewer entries than the one before. Each is caught, with
# a message that says what is wrong.
. "$(dirname "$0")/lib.sh"
plan 16
L=$T/log
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
entry() { echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"$1\"}"; }
# the line an insider writes by hand: seq, time, plate
forged() {
	echo "{\"type\":\"access\",\"v\":1,\"seq\":$1,\"time\":\"$2\",\"user\":\"mallory\",\"action\":\"search\",\"plate\":\"$3\"}"
}
verify() { alpr-audit -d "$L" verify -k "$T/pub"; }

# Window 0 (09:00-10:00): entries at 09:15 (two) and 09:20, checkpoints
# at 09:00, 09:15 (every 2 entries), 09:20 (at the end of the run) and
# 09:30 (from cron).
at 2026-01-05T09:10:00.00Z
alpr-audit -d "$L" init -o example.gov/log -w 3600 -n 2 >"$T/pub" 2>/dev/null
at 2026-01-05T09:15:00.00Z; { entry A1; entry A2; } | alpr-audit -d "$L" append
at 2026-01-05T09:20:00.00Z; entry A3 | alpr-audit -d "$L" append
at 2026-01-05T09:30:00.00Z; alpr-audit -d "$L" checkpoint >/dev/null
at 2026-01-05T09:40:00.00Z
is "checkpoints at 09:00, 09:15, 09:20 and 09:30" \
	"$(grep -o 'time [0-9T:.-]*Z' "$L/checkpoints.ndjson" | cut -c17-21 | tr '\n' ' ')" \
	"09:00 09:15 09:20 09:30 "
check "the log verifies" verify
cp -a "$L" "$T/good"
restore() { rm -rf "$L" && cp -a "$T/good" "$L"; }

# 1. An entry added after the 09:30 checkpoint but dated 09:25, after the
# entry above it, then signed into a new checkpoint with the key on disk.
forged 3 2026-01-05T09:25:00.00Z A1 >>"$L/log.ndjson"
rm -f "$L/state"
at 2026-01-05T09:45:00.00Z
check "the insider signs the backdated entry" alpr-audit -d "$L" checkpoint
check_status 1 "verify catches it" verify
like "as dated before the checkpoint that precedes it" "$(cat "$T/err")" \
	"log.ndjson:4: entry 3: dated before checkpoint checkpoints.ndjson:4 that precedes it: backdated"
restore

# 2. The entry of 09:20 re-dated 09:22, every checkpoint signed anew with
# the key on disk, keeping their times.
sed 's/"seq":2,"time":"2026-01-05T09:20:00.00Z"/"seq":2,"time":"2026-01-05T09:22:00.00Z"/' \
	"$T/good/log.ndjson" >"$L/log.ndjson"
log-attack forge "$L" "$L/secret/key"
check_status 1 "an entry dated after the checkpoint that covers it" verify
like "is caught" "$(cat "$T/err")" \
	"log.ndjson:3: entry 2: dated after checkpoint checkpoints.ndjson:3 that covers it"
restore

# 3. The checkpoint of 09:30 re-dated 09:17, all signed anew.
sed 's/time 2026-01-05T09:30:00.00Z/time 2026-01-05T09:17:00.00Z/' \
	"$T/good/checkpoints.ndjson" >"$L/checkpoints.ndjson"
log-attack forge "$L" "$L/secret/key"
check_status 1 "a checkpoint dated before the one above it" verify
like "is caught" "$(cat "$T/err")" \
	"checkpoints.ndjson:4: checkpoint is dated before the one on line 3"
restore

# 4. The log cut back to 2 entries, and signed so.
head -n 2 "$T/good/log.ndjson" >"$L/log.ndjson"
rm -f "$L/state"
at 2026-01-05T09:45:00.00Z
check "the insider signs the log cut back" alpr-audit -d "$L" checkpoint
check_status 1 "verify catches it" verify
like "as a checkpoint of fewer entries than the one before" "$(cat "$T/err")" \
	"checkpoints.ndjson:5: checkpoint has 2 entries, fewer than the 3 of line 4: the log was rolled back"
restore

# Window 1: an entry at 10:10. Window 0 closed with 3 entries, which the
# key record of window 1 pins.
at 2026-01-05T10:10:00.00Z; entry B1 | alpr-audit -d "$L" append
at 2026-01-05T10:20:00.00Z
rm -rf "$T/good" && cp -a "$L" "$T/good"

# 5. The insider of window 1 takes out its entry and checkpoints, and adds
# an entry dated 09:50, in window 0, which has closed.
head -n 3 "$T/good/log.ndjson" >"$L/log.ndjson"
forged 3 2026-01-05T09:50:00.00Z Z9 >>"$L/log.ndjson"
grep -v 'time 2026-01-05T10:' "$T/good/checkpoints.ndjson" >"$L/checkpoints.ndjson"
check_status 1 "an entry added to a window that closed" verify
like "is caught" "$(cat "$T/err")" \
	"log.ndjson:4: entry 3: dated in window 0, which closed with 3 entries \\(keys.ndjson:2\\): added to a closed window"
restore

# 6. With window 1's key, a key record for window 2 that pins 2 entries,
# as if the log had been cut back.
log-attack pin "$L" "$L/secret/key" 2
check_status 1 "a key record that pins fewer entries than the one before" verify
like "is caught" "$(cat "$T/err")" \
	"keys.ndjson:3: key record of window 2 pins 2 entries, fewer than window 1's 3"
done_testing
