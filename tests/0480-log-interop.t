#!/bin/sh
# An independent verifier agrees: Go's golang.org/x/mod/sumdb/note opens
# every checkpoint as a C2SP signed note, sumdb/tlog recomputes each root
# from log.ndjson (RFC 6962) and checks inclusion proofs from alpr-audit
# prove (tests/interop/alprcheck.go, built offline from Debian's packages).
. "$(dirname "$0")/lib.sh"
command -v go >/dev/null || skip_all "no go (scripts/deps installs golang-go)"
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ] ||
	skip_all "no golang.org/x/mod (scripts/deps installs golang-golang-x-mod-dev)"
plan 9
L=$T/log
at() { ALPR_LOG_NOW=$1; export ALPR_LOG_NOW; }
check "the Go verifier builds offline" env GOPATH=/usr/share/gocode \
	GO111MODULE=off GOFLAGS= GOCACHE="$T/gocache" GOPROXY=off \
	go build -o "$T/alprcheck" "$top/tests/interop/alprcheck.go"

at 2026-03-02T09:10:00.00Z
alpr-audit -d "$L" init -o example.gov/log -w 3600 -n 3 >"$T/pub" 2>/dev/null
for t in 09:20 09:40 10:15 11:05 13:30; do
	at 2026-03-02T$t:00.00Z
	i=0; while [ $i -lt 5 ]; do
		echo "{\"type\":\"access\",\"v\":1,\"action\":\"search\",\"plate\":\"P$t$i\",\"reason\":\"r\\u00e9sum\\u00e9 $i\"}"
		i=$((i + 1))
	done | alpr-audit -d "$L" append
done
at 2026-03-02T13:40:00.00Z
alpr-audit -d "$L" checkpoint >/dev/null
for s in 0 1 7 16 24; do alpr-audit -d "$L" prove "$s" >"$T/proof$s" 2>/dev/null; done
check "alpr-audit verify accepts the log" alpr-audit -d "$L" verify -k "$T/pub"
check "Go accepts every checkpoint, every root and every proof" \
	"$T/alprcheck" "$L" "$T"/proof*
like "all of them" "$(cat "$T/out")" \
	"^ok: [1-9][0-9]+ checkpoints and 3[0-9] entries agree, 5 proofs hold$"

# It can fail: a changed entry, a forged signature, a moved proof.
cp -a "$L" "$T/bad"
sed 's/"plate":"P09:201"/"plate":"P09:209"/' "$L/log.ndjson" >"$T/bad/log.ndjson"
check_status 1 "Go refuses a changed entry" "$T/alprcheck" "$T/bad"
like "the root differs" "$(cat "$T/err")" "root .*, tlog computes"
cp "$L/log.ndjson" "$T/bad/log.ndjson"
sed '2s/\\n[0-9]*\\n/\\n99\\n/' "$L/checkpoints.ndjson" >"$T/bad/checkpoints.ndjson"
check_status 1 "Go refuses a checkpoint changed after signing" "$T/alprcheck" "$T/bad"
like "its note does not verify" "$(cat "$T/err")" "note.Open: invalid signature for key example.gov/log"
sed 's/"seq":7,/"seq":8,/' "$T/proof7" >"$T/moved"
check_status 1 "Go refuses a proof moved to another entry" "$T/alprcheck" "$L" "$T/moved"
done_testing
