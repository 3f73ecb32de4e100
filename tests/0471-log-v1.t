#!/bin/sh
# A log made before key records pinned the tree (version 1 key records,
# tests/data/log-v1) still verifies, with a warning that says what its
# closed windows lack, and a writer carries it on with version 2 records.
. "$(dirname "$0")/lib.sh"
plan 8
L=$T/log
cp -R "$top/tests/data/log-v1" "$L" && chmod 700 "$L/secret" || exit 1
export ALPR_LOG_NOW=2026-01-05T11:20:00.00Z
check "a version 1 log verifies" alpr-audit -d "$L" verify -k "$L/pubkey"
is "all of it" "$(cat "$T/out")" \
	"good: 4 entries, the last signed checkpoint 2026-01-05T11:10:00.00Z covers 4, keys through window 2"
like "with a warning about its closed windows" "$(cat "$T/err")" \
	"keys.ndjson: windows 0 to 1 were closed by key records of version 1, which do not pin their entries"
export ALPR_LOG_NOW=2026-01-05T13:05:00.00Z
echo '{"type":"access","v":1,"action":"search","plate":"C1"}' >"$T/c1"
check "a writer carries it on" alpr-audit -d "$L" append "$T/c1"
is "with version 2 key records" "$(grep -c '"type":"log-key","v":2' "$L/keys.ndjson")" 2
check "the log verifies" alpr-audit -d "$L" verify -k "$L/pubkey"
like "keys through window 4" "$(cat "$T/out")" "keys through window 4$"
sed 's/"plate":"B1"/"plate":"Z9"/' "$L/log.ndjson" >"$T/l" && cp "$T/l" "$L/log.ndjson"
check_status 1 "an entry of window 2, closed by a version 2 record, is pinned" \
	alpr-audit -d "$L" verify -k "$L/pubkey"
done_testing
