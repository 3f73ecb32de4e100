#!/bin/sh
# lib/rec.c and lib/time.c: strict record parsing with file:line messages.
. "$(dirname "$0")/lib.sh"
plan 12

cat >"$T/in" <<'R'
{"type":"frame","v":1,"id":"a","extra":{"k":[1,2]}}

{"type":"frame","v":1,"id":"b"
["not","an","object"]
{"type":"frame","id":"c"}
{"type":"frame","v":2,"id":"d"}
{"v":1,"id":"e"}
{"type":"frame","v":1,"id":"f","id":"g"}
{"type":"read","v":1,"id":"h"}
R
check_status 1 "bad lines make exit status 1" rec-echo "$T/in"
is "good records pass through, unknown fields untouched" "$(cat "$T/out")" \
'{"type":"frame","v":1,"id":"a","extra":{"k":[1,2]}}
{"type":"read","v":1,"id":"h"}'
like "truncated JSON named with file and line" "$(cat "$T/err")" "^rec-echo: $T/in:3: bad JSON"
like "non-object rejected" "$(cat "$T/err")" ":4: record is not a JSON object"
like "missing version rejected" "$(cat "$T/err")" ":5: record has no integer \"v\""
like "future version rejected" "$(cat "$T/err")" ":6: record format version not supported"
like "duplicate key rejected" "$(cat "$T/err")" ":8: bad JSON"

printf '{"type":"x","v":1,"n":2}\n' >"$T/two"
printf '{"type":"x","v":1,"n":3}\n' >"$T/three"
check_status 3 "a missing file fails the run" \
	rec-echo "$T/two" "$T/nope" - <"$T/three"
like "and is named" "$(cat "$T/err")" "^rec-echo: unable to open $T/nope: No such file"
is "the other files and - (stdin) are still read, in order" "$(cat "$T/out")" \
'{"type":"x","v":1,"n":2}
{"type":"x","v":1,"n":3}'

check "times parse and format to the centisecond" rec-echo -t \
	2026-11-22T09:57:07.129Z 2026-11-22T01:57:07-08:00 1970-01-01T00:00:00Z
is "times normalised to UTC" "$(cat "$T/out")" \
"2026-11-22T09:57:07.12Z 1795341427
2026-11-22T09:57:07.00Z 1795341427
1970-01-01T00:00:00.00Z 0"
done_testing
