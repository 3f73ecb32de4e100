#!/bin/sh
# alpr-store policy: the usage and privacy policy of Civil Code
# 1798.90.51, rendered from the running store, so that the posted policy
# and the system cannot say different things: its purposes, retention,
# sharing list and role table are alpr.conf's and the code's as they are
# now; the HTML escapes what the settings hold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
[ -x /usr/bin/python3 ] || skip_all "Debian's python3 not installed"
plan 22

mkstore || { echo "Bail out! no store"; exit 1; }
check "the policy is rendered in Markdown" alpr-store policy
cp "$T/out" "$T/p1"
like "it names the agency" "$(sed -n 3p "$T/p1")" "^Test Police Department, CA\\."
like "... the purposes alpr.conf allows" "$(sed -n '/^## Authorized/,/^## Who/p' "$T/p1" | grep '^- ' | tr '\n' ' ')" \
	"^- investigation - missing-person - amber-alert - stolen-vehicle - wanted-person - hotlist-followup $"
like "... the retention" "$(cat "$T/p1")" "Reads are kept 365 days and then destroyed"
like "... that no agency may receive data yet" "$(sed -n '/^## Sharing/,/^## Custodian/p' "$T/p1")" "^- none$"
like "... how often the log's keys change: the default window, an hour" \
	"$(cat "$T/p1")" "signed with keys that change every hour\\."
# a log made with a window of a day: the policy says a day, not an hour
alpr-store -H "$T/home2" -K "$T/store2.key" init -w 86400 \
    --password-file "$T/admin.pw" --totp-file "$T/admin2.totp" >/dev/null 2>&1
alpr-store -H "$T/home2" -K "$T/store2.key" policy >"$T/p3" 2>/dev/null
like "... and the window of the store's own log when it is another" \
	"$(cat "$T/p3")" "signed with keys that change every day\\."

# the role table is the one the code enforces, as alpr-store roles prints it
alpr-store roles | awk 'NR > 1 { printf "%s", $1; for (i = 2; i <= 7; i++) printf " %s", $i; print "" }' >"$T/roles"
alpr-store roles | awk 'NR > 1 { $1 = ""; for (i = 2; i <= 7; i++) $i = ""; sub(/^ +/, ""); sub(/ \(needs training\)$/, ""); print }' >"$T/what"
grep '^| [a-z]' "$T/p1" | grep -v '^| --- ' | awk -F' [|] ' '{ printf "%s", $1; for (i = 2; i <= 7; i++) printf " %s", $i; print "" }' | sed 's/^| //; s/ |$//' >"$T/ptable"
paste -d'\t' "$T/what" "$T/roles" | awk -F'\t' '{ n = split($2, a, " "); printf "%s", $1; for (i = 2; i <= n; i++) printf " %s", a[i]; print "" }' >"$T/want"
same "the policy's role table is alpr-store roles'" "$T/want" "$T/ptable"

# the live settings: change them, the policy changes
cat >"$H/agencies" <<'EOF'
CA Sacramento Police Department
NV Reno Police Department
CA DEA Sacramento Resident Office
CA Capitol Towing Inc.
CA F B I Sacramento
CA Drug Enforcement Administration Sacramento
EOF
sed -i 's/^purposes = .*/purposes = investigation amber-alert/; s/^retention_days = .*/retention_days = 400/;
	s/^retention_hit_days = .*/retention_hit_days = 730/; s/^release_agencies = .*/release_agencies = agencies/' "$H/alpr.conf"
alpr-store policy >"$T/p2" 2>"$T/err"
like "changed purposes are the policy's" "$(sed -n '/^## Authorized/,/^## Who/p' "$T/p2" | grep '^- ' | tr '\n' ' ')" \
	"^- investigation - amber-alert $"
like "... and a changed retention" "$(cat "$T/p2")" "Reads are kept 400 days \\(reads with hotlist hits 730 days\\) and then destroyed"
like "... and the agencies data may go to, California's only" \
	"$(sed -n '/^## Sharing/,/^## Custodian/p' "$T/p2" | grep '^- ' | tr '\n' ' ')" "^- Sacramento Police Department \\(CA\\) $"
like "... the out-of-state line reported" "$(cat "$T/err")" "agencies:2: Reno Police Department is out of state"
like "... and a federal one, though in California" "$(cat "$T/err")" \
	"agencies:3: DEA Sacramento Resident Office is by its name a federal agency"
like "... and a private one" "$(cat "$T/err")" "agencies:4: Capitol Towing Inc. is by its name a private agency"
like "... and federal ones by letters apart or by a pair of words" "$(grep -c 'agencies:[56]: .* is by its name a federal agency' "$T/err")" '^2$'
as admin alpr-store user disable pat.ops -R "left the department in November" >/dev/null 2>&1
like "the accounts counted are the active ones" "$(alpr-store policy 2>/dev/null)" "operator 0, analyst 1, supervisor 2"

# what the settings hold is escaped
sed -i 's/^agency = .*/agency = Smith \& <b>Sons<\/b> "Police" *Dept*/' "$H/alpr.conf"
alpr-store policy --html >"$T/h" 2>/dev/null
ok $? "the policy is rendered in HTML"
like "the agency's name is escaped in HTML" "$(grep -c 'Smith &amp; &lt;b&gt;Sons&lt;/b&gt; &quot;Police&quot; \*Dept\*' "$T/h")" '^[1-9]'
is "... and nowhere raw" "$(grep -c '<b>' "$T/h")" 0
alpr-store policy >"$T/m" 2>/dev/null
like "in Markdown, escaped as Markdown" "$(sed -n 3p "$T/m")" '^Smith \\& \\<b\\>Sons\\</b\\> "Police" \\\*Dept\\\*, CA\.'
/usr/bin/python3 -c '
import sys
from html.parser import HTMLParser
class P(HTMLParser):
	def __init__(s): super().__init__(); s.stack = []; s.bad = 0
	def handle_starttag(s, t, a):
		if t not in ("meta",): s.stack.append(t)
	def handle_endtag(s, t):
		if not s.stack or s.stack.pop() != t: s.bad = 1
p = P(); p.feed(open(sys.argv[1]).read()); p.close()
sys.exit(p.bad or len(p.stack))
' "$T/h"
ok $? "the HTML's elements nest and close"
is "... one table of the roles, with a header row and a row per permission" \
	"$(grep -c '^<tr>' "$T/h") $(grep -c '<th>' "$T/h")" "13 1"
done_testing
