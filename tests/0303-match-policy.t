#!/bin/sh
# alpr-match: forbidden categories are refused, config, and every hotlist
# load is written to the access log (or the list is not loaded).
. "$(dirname "$0")/lib.sh"
plan 47

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

# No column order or column can carry a forbidden category past the check.
printf 'PLATE,STATE,TYPE,CATEGORY\n7ABC123,CA,PC,immigration\n' >"$T/order.csv"
check_status 1 "two columns that both give the category: refused" \
	alpr-match -l "$T/order.csv" "$T/read"
like "naming both" "$(cat "$T/err")" \
	"order.csv:1: columns 3 'TYPE' and 4 'CATEGORY' both give the category: the list is refused"
is "and nothing of it hits" "$(grep -c hits "$T/out")" 0
printf 'PLATE,STATE,CATEGORY,TYPE\n7ABC123,CA,immigration,PC\n' >"$T/order2.csv"
check_status 1 "the other order: refused too" alpr-match -l "$T/order2.csv" "$T/read"
printf 'plate,category,reason\n7ABC123,stolen-vehicle,hold for ICE\n' >"$T/reason.csv"
check_status 1 "a forbidden word in another column: refused" \
	alpr-match -l "$T/reason.csv" "$T/read"
like "naming the column" "$(cat "$T/err")" \
	"reason.csv:2: column 3 'reason' 'hold for ICE' is forbidden by policy \\(forbidden_categories has 'ice'\\)"
printf 'plate,category,Hold Type\n7ABC123,wanted,Removal Order\n' >"$T/extra.csv"
check_status 1 "in a column of no role: refused" alpr-match -l "$T/extra.csv" "$T/read"
like "by two words" "$(cat "$T/err")" "forbidden_categories has 'removal-order'"
long=$(printf 'x%.0s ' $(seq 150))
printf 'plate,category\n7ABC123,"%simmigration"\n' "$long" >"$T/long.csv"
check_status 1 "a forbidden word past byte 255 of a category: refused" \
	alpr-match -l "$T/long.csv" "$T/read"
for c in Immigration_Status ice/detainer Deportation. '"ICE, detainer"' 'UNDOCUMENTED!'; do
	printf 'plate,category\n7ABC123,%s\n' "$c" >"$T/sep.csv"
	check_status 1 "whatever separates the words: $c" alpr-match -l "$T/sep.csv" "$T/read"
done
printf 'plate,category,ICE Hold\n7ABC123,wanted,yes\n' >"$T/hdr.csv"
check_status 1 "a forbidden column name: refused" alpr-match -l "$T/hdr.csv" "$T/read"
like "naming it" "$(cat "$T/err")" "hdr.csv:1: column name 'ICE Hold' is forbidden"
printf 'plate,category,reason\nICE,stolen-vehicle,police report\nALIEN1,wanted,Alienware laptop\n' >"$T/vanity.csv"
check "plates, and words that only hold a forbidden one, load" \
	alpr-match -l "$T/vanity.csv" "$T/read"
like "both entries" "$(cat "$T/err")" "vanity.csv: 2 entries loaded"
cp "$T/ok.csv" "$T/police-bulletin.csv"
check "a list whose name only holds a forbidden word loads" \
	alpr-match -l "$T/police-bulletin.csv" "$T/read"

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
# A log that opens but takes no entry: its latest time is more than 12
# hours after the clock, so it signs nothing (alpr-audit(1)).
n=$(wc -l <"$T/log/log.ndjson")
ALPR_LOG_NOW=2026-11-23T12:00:00.00Z check_status 3 \
	"a list whose log entry cannot be written is not loaded" \
	alpr-match -L "$T/log" -l "$T/ok.csv" -l "$T/gang.csv" "$T/read"
is "each says so" "$(grep -c 'csv: hotlist not loaded: unable to write its access log entry:' "$T/err")" 2
like "and then that none is" "$(cat "$T/err")" "fatal: no hotlist loaded"
is "no read passes" "$(cat "$T/out")" ""
is "and nothing was logged" "$(wc -l <"$T/log/log.ndjson")" "$n"
done_testing
