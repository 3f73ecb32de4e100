#!/bin/sh
# alpr-audit init, append and verify; lib/log/log.c entries and files.
. "$(dirname "$0")/lib.sh"
me=$(id -un)
plan 29
L=$T/log
export ALPR_LOG_NOW=2026-03-02T10:15:00.00Z

check_status 2 "no log directory is a usage error" alpr-audit verify
like "usage says why" "$(cat "$T/err")" "no log: give -d dir or set ALPR_LOG"

check "init makes a log" alpr-audit -d "$L" init -o example.gov/alpr-log \
	-O "Example PD" -r analyst -n 4
like "init prints the verifier key" "$(cat "$T/out")" \
	'^example\.gov/alpr-log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$'
is "the key is kept in DIR/pubkey too" "$(cat "$L/pubkey")" "$(cat "$T/out")"
cp "$T/out" "$T/pub"
is "the secret key is mode 0600" "$(stat -c %a "$L/secret/key")" 600
is "its directory is mode 0700" "$(stat -c %a "$L/secret")" 700
check_status 1 "init refuses to make a log twice (a refusal, not a system error)" alpr-audit -d "$L" init
like "and says so" "$(cat "$T/err")" "already exists"
mkdir -p "$T/badinit/keys.ndjson/x"
check_status 3 "init where a file cannot be put in place fails" \
	alpr-audit -d "$T/badinit" init -o example.gov/alpr-log
like "naming it" "$(cat "$T/err")" "unable to write $T/badinit/keys.ndjson: Is a directory"

cat >"$T/in" <<'R'
{"type":"access","v":1,"action":"search","plate":"7ABC123","purpose":"investigation","case":"26-0117","reason":"stolen vehicle report 26-0117","count":2,"outcome":"ok"}
{"type":"access","v":1,"action":"login","outcome":"ok","user":"bob","role":"admin"}
R
ALPR_USER=alice check "append two entries" alpr-audit -d "$L" append "$T/in"
sed -n 1p "$L/log.ndjson" >"$T/e0"
is "entry 0: log fields first, then the caller's in order" "$(cat "$T/e0")" \
'{"type":"access","v":1,"seq":0,"time":"2026-03-02T10:15:00.00Z","user":"alice","os_user":"'"$me"'","org":"Example PD","role":"analyst","action":"search","plate":"7ABC123","purpose":"investigation","case":"26-0117","reason":"stolen vehicle report 26-0117","count":2,"outcome":"ok"}'
is "a caller-set user and role are kept" "$(sed -n 2p "$L/log.ndjson")" \
'{"type":"access","v":1,"seq":1,"time":"2026-03-02T10:15:00.00Z","user":"bob","os_user":"'"$me"'","org":"Example PD","role":"admin","action":"login","outcome":"ok"}'

echo '{"type":"access","v":1,"plate":"X"}' >"$T/bad"
check_status 1 "an entry without an action is refused" alpr-audit -d "$L" append "$T/bad"
like "named by file and line" "$(cat "$T/err")" "$T/bad:1: not an access record"
is "and nothing was logged" "$(wc -l <"$L/log.ndjson")" 2

check "verify with the kept key" alpr-audit -d "$L" verify -k "$T/pub"
is "verify reports the size" "$(cat "$T/out")" \
	"good: 2 entries, the last signed checkpoint 2026-03-02T10:15:00.00Z covers 2, keys through window 0"

# The checkpoint is a C2SP signed note.
check "checkpoint prints a signed note" alpr-audit -d "$L" checkpoint
root=$(sed -n 3p "$T/out")
is "note body: origin, size, root, time, blank line" "$(sed -n 1,5p "$T/out" | tr '\n' '|')" \
"example.gov/alpr-log|2|$root|time 2026-03-02T10:15:00.00Z||"
like "then a signature line: em dash, key name, base64 of key id and signature" \
	"$(sed -n 6p "$T/out")" '^— example\.gov/alpr-log [A-Za-z0-9+/]{91}=$'

# A checkpoint each time the size reaches a multiple of 4 (-n 4) while a
# writer runs, and one when it ends: five entries, appended one by one.
sizes() { grep -o 'alpr-log\\n[0-9]*' "$L/checkpoints.ndjson" | sed 's/.*n//' | tr '\n' ' '; }
is "checkpoints so far: the empty log, at the end of the append, by hand" "$(sizes)" "0 2 2 "
for i in 1 2 3 4 5; do
	echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"P$i\"}"
done | alpr-audit -d "$L" append
is "then one at 4 entries, as it ran, and one at 7, as it ended" "$(sizes)" "0 2 2 4 7 "
for i in 1 2 3 4 5; do
	echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"P$i\"}"
done | alpr-audit -d "$L" append -b
is "a batch (-b) is signed once, as it ends" "$(sizes)" "0 2 2 4 7 12 "

# A log that cannot be read: a system error, not a failed verification.
mv "$L/log.ndjson" "$T/entries" && mkdir "$L/log.ndjson"
check_status 3 "verify of a log it cannot read exits 3" alpr-audit -d "$L" verify -k "$T/pub"
like "saying why" "$(cat "$T/err")" "unable to read $L/log.ndjson: Is a directory"
rmdir "$L/log.ndjson" && mv "$T/entries" "$L/log.ndjson"

# No log: the action must not happen.
ALPR_LOG=$T/nolog check_status 3 "append to a missing log fails" \
	alpr-audit append "$T/in"
like "with a message naming the file" "$(cat "$T/err")" \
	"unable to .*$T/nolog/config.json"
done_testing
