#!/bin/sh
# Attacks on the access log by someone with root: every one must be caught,
# with a message that says what is wrong.
. "$(dirname "$0")/lib.sh"
plan 60
L=$T/log
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
entry() { echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"$1\",\"purpose\":\"investigation\",\"case\":\"26-$1\",\"reason\":\"stolen vehicle report $1\"}"; }

at 2026-01-05T09:10:00.00Z		# window 0 (09:00-10:00)
alpr-audit -d "$L" init -o example.gov/log -w 3600 >"$T/pub" 2>/dev/null
{ entry A1; entry A2; entry A3; } | alpr-audit -d "$L" append
cp -a "$L" "$T/old"			# a copy as it was at 09:10
at 2026-01-05T10:20:00.00Z		# window 1
entry B1 | alpr-audit -d "$L" append
cp "$L/secret/key" "$T/key1"		# stolen in window 1
at 2026-01-05T11:30:00.00Z		# window 2
entry C1 | alpr-audit -d "$L" append
cp "$L/secret/key" "$T/key2"		# stolen in window 2
alpr-audit -d "$L" checkpoint >"$T/saved"
at 2026-01-05T11:40:00.00Z
check "the untouched log verifies" alpr-audit -d "$L" verify -k "$T/pub"
cp -a "$L" "$T/good"
restore() { rm -rf "$L" && cp -a "$T/good" "$L"; }
bad() {		# DESC REGEX [verify args...]: verify fails saying REGEX
	_d=$1 _re=$2; shift 2
	check_status 1 "$_d" alpr-audit -d "$L" verify -k "$T/pub" "$@"
	like "$_d: says what is wrong" "$(cat "$T/err")" "$_re"
	restore
}

# Every byte of every file, each changed in turn.
check "change each byte of the log, checkpoints, key chain and public key" \
	log-attack flip "$L" log.ndjson checkpoints.ndjson keys.ndjson pubkey
is "no change goes unnoticed" "$(tail -1 "$T/out")" "0 changes missed"

head -n 4 "$T/good/log.ndjson" >"$L/log.ndjson"
bad "truncated log" "log has 4 entries but checkpoint .*:[0-9]+ signed 5: entries were removed"

sed 2d "$T/good/log.ndjson" >"$L/log.ndjson"
bad "deleted entry" "log.ndjson:2: entry 1: has seq 2 where 1 belongs"

{ sed -n 1p "$T/good/log.ndjson"; sed -n 3p "$T/good/log.ndjson"
  sed -n 2p "$T/good/log.ndjson"; sed -n '4,$p' "$T/good/log.ndjson"; } >"$L/log.ndjson"
bad "reordered entries" "log.ndjson:2: entry 1: has seq 2 where 1 belongs: entries deleted, duplicated or reordered"

sed 2p "$T/good/log.ndjson" >"$L/log.ndjson"
bad "duplicated entry" "log.ndjson:3: entry 2: has seq 1 where 2 belongs"

sed 's/"plate":"A2"/"plate":"Z9"/' "$T/good/log.ndjson" >"$L/log.ndjson"
bad "changed entry" "entries 0 to 2 do not match the signed checkpoint .*: an entry was changed, removed or inserted"

# Backdating: an entry added at the end with an old time.
{ cat "$T/good/log.ndjson"
  echo '{"type":"access","v":1,"seq":5,"time":"2026-01-05T09:05:00.00Z","user":"mallory","action":"search","plate":"A1"}'
} >"$L/log.ndjson"
bad "backdated entry at the end" "entry 5: dated before the entry above it: backdated"

# Backdating inside window 0, re-signing every checkpoint with the key
# stolen in window 2 and keeping their times.
sed 's/"plate":"A2"/"plate":"Z9"/' "$T/good/log.ndjson" >"$L/log.ndjson"
log-attack forge "$L" "$T/key2"
bad "rewritten and re-signed with a later stolen key" \
	"checkpoint claims window 0 but is signed with the key of window 2: forged with a later \(stolen\) key"

# The same, but claiming the time of the theft for every checkpoint.
sed 's/"plate":"A2"/"plate":"Z9"/' "$T/good/log.ndjson" >"$L/log.ndjson"
log-attack forge "$L" "$T/key2" 2026-01-05T11:35:00.00Z
bad "re-signed with the stolen key at its own time" \
	"the first checkpoint is from window 2, not 0: earlier checkpoints removed"

: >"$L/checkpoints.ndjson"
bad "every checkpoint removed" "checkpoints.ndjson: no valid checkpoint"

# The checkpoints of window 1 removed (window 0 and 2 remain).
grep -v 'T10:' "$T/good/checkpoints.ndjson" >"$L/checkpoints.ndjson"
bad "a window's checkpoints removed" "no checkpoint for windows 1 to 1: checkpoints removed"

sed '2d' "$T/good/keys.ndjson" >"$L/keys.ndjson"
bad "a key certificate removed" "keys.ndjson:2: want the log-key record for window 1"

# Truncated, and the covering checkpoints dropped too: the tail of a quiet
# period cannot hide, because the last checkpoint is then too old.
rm -rf "$L" && cp -a "$T/old" "$L"
bad "an older copy restored" "the last checkpoint is from 2026-01-05T09:10:00.00Z, 2 windows ago"
rm -rf "$L" && cp -a "$T/old" "$L"
bad "an older copy restored, checked against a saved checkpoint" \
	"saved: checkpoint claims window 2, but the key chain ends at window 0: keys removed, or the log rolled back" \
	-s "$T/saved"

# Inside the current window the key is on the machine: only a checkpoint
# kept elsewhere shows a rewrite.
cp -a "$L" "$T/fork"
entry D1 | alpr-audit -d "$T/fork" append
alpr-audit -d "$T/fork" checkpoint >"$T/forksaved"
entry E1 | alpr-audit -d "$L" append
rm -rf "$T/good" && cp -a "$L" "$T/good"
check "each fork verifies alone" alpr-audit -d "$L" verify -k "$T/pub"
bad "a forked log" "not consistent with the saved checkpoint of 2026-01-05T11:40:00.00Z \(6 entries\): .*: the log was rewritten or forked" \
	-s "$T/forksaved"
check "the log is consistent with the checkpoint saved before" \
	alpr-audit -d "$L" verify -k "$T/pub" -s "$T/saved"
like "through a consistency proof" "$(cat "$T/out")" \
	"consistent with the saved checkpoint of 2026-01-05T11:30:00.00Z: 5 entries then, 6 now, proof of [1-9] hashes"

# A log made anew, and a wrong key.
alpr-audit -d "$T/other" init -o example.gov/log >"$T/otherpub" 2>/dev/null
check_status 1 "a log made anew with other keys" \
	alpr-audit -d "$T/other" verify -k "$T/pub"
like "says the initial key differs" "$(cat "$T/err")" \
	"keys.ndjson:1: the log's initial key is not the public key given"
check_status 1 "verify with the wrong public key" \
	alpr-audit -d "$L" verify -k "$T/otherpub"
like "says so" "$(cat "$T/err")" "the log's initial key is not the public key given"

# Malformed and non-canonical checkpoints.
cp "$T/saved" "$T/cp"
badcp() {	# DESC REGEX: the checkpoint in $T/cp is refused
	check_status 1 "$1" alpr-audit -d "$L" verify -k "$T/pub" -s "$T/cp"
	like "$1: says what is wrong" "$(cat "$T/err")" "$2"
	cp "$T/saved" "$T/cp"
}
printf %s "$(cat "$T/saved")" >"$T/cp"
badcp "no final newline" "does not end with a newline"
sed 's/$/\r/' "$T/saved" >"$T/cp"
badcp "carriage returns" "carriage return"
sed '2s/^/0/' "$T/saved" >"$T/cp"
badcp "size with a leading zero" "tree size is not a canonical decimal number"
sed '4s/\.00Z/Z/' "$T/saved" >"$T/cp"
badcp "time not to the centisecond" "time line is not a canonical UTC time"
root=$(sed -n 3p "$T/saved")
c=$(printf %s "$root" | cut -c43)
n=$(printf '%s' 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/' |
	awk -v c="$c" '{ i = index($0, c) - 1; i = i - i % 4 + (i % 4 + 1) % 4; print substr($0, i + 1, 1) }')
sed "3s|.=\$|$n=|" "$T/saved" >"$T/cp"
badcp "root in non-canonical base64" "root hash is not 32 bytes of canonical base64"
sed '4a\
extra line' "$T/saved" >"$T/cp"
badcp "an unknown extension line" "unexpected extension line"
sed 's/^— /- /' "$T/saved" >"$T/cp"
badcp "a signature line without the em dash" "signature line does not start with an em dash"
sed '/^— /d' "$T/saved" >"$T/cp"
badcp "no signature" "checkpoint has no signature"
sed 's/^— example.gov\/log/— example.gov\/other/' "$T/saved" >"$T/cp"
badcp "signed by an unknown key only" "checkpoint signature does not verify with the log's keys"
sed '2s/5/4/' "$T/saved" >"$T/cp"
badcp "size changed after signing" "checkpoint signature does not verify"
sed '1s/log/other/' "$T/saved" >"$T/cp"
badcp "another log's origin" 'checkpoint is for the log "example.gov/other"'
done_testing
