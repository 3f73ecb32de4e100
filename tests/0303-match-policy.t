#!/bin/sh
# alpr-match: forbidden categories are refused, config, and every hotlist
# load is written to the access log (or the list is not loaded).
. "$(dirname "$0")/lib.sh"
plan 23

echo '{"type":"read","v":1,"plate":"7ABC123"}' >"$T/read"
printf 'plate,category\n7ABC123,stolen-vehicle\n' >"$T/ok.csv"
cat >"$T/fed.csv" <<'L'
plate,category,reason
7ABC123,stolen-vehicle,taken
5XYZ999,Immigration Status,detainer
L

check_status 1 "a list with a forbidden category is refused" \
	alpr-match -l "$T/fed.csv" -l "$T/ok.csv" "$T/read"
like "with a clear message naming the line" "$(cat "$T/err")" \
	"fed.csv:3: category 'Immigration Status' is forbidden by policy \\(forbidden_categories has 'immigration'\\): the whole list is refused"
like "and that the list was not loaded" "$(cat "$T/err")" "fed.csv: hotlist not loaded"
like "not filtered: none of its entries hit" "$(cat "$T/out")" '"hits":\[\{"list":"ok",'
is "only the other list hit" "$(grep -o '"list":"[a-z]*"' "$T/out" | tr '\n' ' ')" '"list":"ok" '

cp "$T/ok.csv" "$T/ice-holds.csv"
check_status 1 "a list named for a forbidden category is refused too" \
	alpr-match -l "$T/ice-holds.csv" "$T/read"
like "by its name" "$(cat "$T/err")" "list name 'ice-holds' is forbidden by policy"

printf 'plate,category\n7ABC123,gang-database\n' >"$T/gang.csv"
check "a category the built-in policy allows" alpr-match -l "$T/gang.csv" "$T/read"
printf '# agency policy\nforbidden_categories = gang database, reproductive-health\nother_program_key=1\n' >"$T/conf"
ALPR_CONFIG=$T/conf check_status 1 "is refused when \$ALPR_CONFIG forbids it" \
	alpr-match -l "$T/gang.csv" "$T/read"
like "naming the config's term" "$(cat "$T/err")" "forbidden_categories has 'gang-database'"
ALPR_CONFIG=$T/conf check_status 1 "the config adds to the built-in terms" \
	alpr-match -l "$T/fed.csv" "$T/read"
printf 'max_age_days\n' >"$T/badconf"
check_status 2 "a bad config line is a usage error" alpr-match -C "$T/badconf" -l "$T/ok.csv" "$T/read"
like "named by file and line" "$(cat "$T/err")" "$T/badconf:1: want key=value"

# The access log.
command -v alpr-audit >/dev/null || { skip "hotlist-load log entries" "alpr-audit not built"; done_testing; }
export ALPR_LOG_NOW=2026-11-22T10:00:00.00Z
check "alpr-audit init" alpr-audit -d "$T/log" init -o example.gov/log
ALPR_USER=alice check "loading with -L" alpr-match -L "$T/log" -l "$T/ok.csv" "$T/read"
sha=$(sha256sum <"$T/ok.csv" | cut -c1-64)
is "the load is logged: list, file, counts, SHA-256, user" "$(tail -1 "$T/log/log.ndjson")" \
"{\"type\":\"access\",\"v\":1,\"seq\":0,\"time\":\"2026-11-22T10:00:00.00Z\",\"user\":\"alice\",\"os_user\":\"$(id -un)\",\"action\":\"hotlist-load\",\"list\":\"ok\",\"file\":\"$T/ok.csv\",\"entries\":1,\"rejected\":0,\"expired\":0,\"sha256\":\"$sha\"}"
ALPR_LOG=$T/log check "\$ALPR_LOG works as -L" alpr-match -l "$T/ok.csv" -l "$T/gang.csv" "$T/read"
is "one entry for each list" "$(grep -c hotlist-load "$T/log/log.ndjson")" 3
check "the log verifies" alpr-audit -d "$T/log" verify
ALPR_LOG=$T/log check_status 1 "a refused list is not logged as loaded" \
	alpr-match -l "$T/fed.csv" -l "$T/ok.csv" "$T/read"
is "only the loaded one" "$(grep -c '"list":"fed"' "$T/log/log.ndjson")" 0
check_status 3 "a log that cannot be written: no list is loaded" \
	alpr-match -L "$T/nolog" -l "$T/ok.csv" "$T/read"
is "and no read passes unchecked" "$(cat "$T/out")" ""
done_testing
