#!/bin/sh
# Signed hotlists: a supervisor signs a list with the agency's key, every
# plate on it logged first; a patrol car whose policy names the key
# (hotlist_key) loads no other list. The attacks of an officer who would
# be alerted to a partner's car (a plate added to a signed list, a list of
# their own, another list's signature, a signature edited, a list signed
# with another agency's key, signing it themselves) are each run: the list
# is not loaded and no alert is raised.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 69
mkstore || { echo "Bail out! no store"; exit 1; }

L=$T/lists
mkdir -p "$L"
cat >"$L/bolo.csv" <<'CSV'
plate,state,category,reason
7ABC123,CA,stolen-vehicle,taken from the Main St lot
8XYZ402,CA,wanted,armed robbery suspect vehicle
CSV
R="bolo list for the day shift, from the stolen vehicle reports"
sign() { signlist "$@"; }	# USER LIST [REASON]: LIST.sig
ask() {	# USER LIST [REASON]: LIST.ask
	as "$1" alpr-store hotlist ask -R "${3-$R}" "$2" >"$2.ask"
}
read1() {	# SECOND PLATE
	printf '{"type":"read","v":1,"id":"20261103T1000%s.00Z-0123456789ab-cam1","ts":"2026-11-03T10:00:%s.00Z","camera":"cam1","plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$1" "$1" "$2"
}
{ read1 01 7ABC123; read1 02 PARTNR1; } >"$T/reads.ndjson"
as sgt.moreno alpr-export key >"$T/agency.vkey" 2>/dev/null
printf 'hotlist_key = %s\n' "$(cat "$T/agency.vkey")" >"$T/car.conf"
match() {	# LIST...: the car's alpr-match, alerts only
	_a=
	for _l; do _a="$_a -l $_l"; done
	alpr-match -a -C "$T/car.conf" $_a "$T/reads.ndjson"
}

# who signs
check_status 1 "an analyst signs no list" sign jdoe "$L/bolo.csv"
like "... the refusal logged" "$(grep '"user":"jdoe"' "$H/log/log.ndjson" | tail -1)" \
	'"outcome":"denied"'
check_status 1 "nor a supervisor without a reason" sign sgt.moreno "$L/bolo.csv" investigation
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report0" 2>/dev/null
like "... listed among the refusals of the audit report" \
	"$(grep '"kind":"refused"' "$T/report0" | grep hotlist-sign)" '"user":"sgt\.moreno".*"refusal":"reason'
check_status 1 "nor is a list that is not there asked for" ask lt.ruiz "$L/none.csv"
like "... the refusal logged" "$(grep '"user":"lt.ruiz"' "$H/log/log.ndjson" | tail -1)" \
	'"action":"hotlist-ask","target":"none","outcome":"denied"'
rm -f "$L/none.csv.ask"

# two people: one asks, another signs
check_status 1 "a list is not signed without an ask" \
	as sgt.moreno alpr-store hotlist sign -R "$R" "$L/bolo.csv"
like "... saying another supervisor asks for it" "$(cat "$T/err")" 'not a hotlist ask [(]alpr-store hotlist ask makes them[)]'
check "a supervisor asks for the list to be signed, with a reason" ask lt.ruiz "$L/bolo.csv"
like "... every plate on it in the access log, with who and why" \
	"$(grep '"action":"hotlist-ask"' "$H/log/log.ndjson" | tail -1)" \
	'"user":"lt.ruiz".*"data":\{"list":"bolo","sha256":"[0-9a-f]{64}","entries":2,"plates":\["7ABC123","8XYZ402"\]\}.*"reason":"bolo list'
check_status 1 "... and does not sign it on their own ask" \
	as lt.ruiz alpr-store hotlist sign -R "$R" "$L/bolo.csv.ask"
like "... saying another supervisor signs it" "$(cat "$T/err")" \
	'asked for by lt.ruiz, from OS user lt.ruiz: nobody signs a list they asked for'
like "... the refusal logged" "$(entries hotlist-sign | tail -1)" '"user":"lt.ruiz".*"outcome":"denied"'
cp "$L/bolo.csv.ask" "$L/edited.ask"
sed -i 's/^8XYZ402,/PARTNR1,/' "$L/edited.ask"
check_status 1 "an ask whose list was changed since is not signed" \
	as sgt.moreno alpr-store hotlist sign -R "$R" "$L/edited.ask"
like "... saying so" "$(cat "$T/err")" 'the list is not the one asked for'
sed 's/^by lt.ruiz$/by jdoe/' "$L/bolo.csv.ask" >"$L/edited.ask"
check_status 1 "nor one whose asker was changed" \
	as sgt.moreno alpr-store hotlist sign -R "$R" "$L/edited.ask"
like "... (it does not verify)" "$(cat "$T/err")" 'does not verify'
cp "$L/bolo.csv.ask" "$L/bolo.csv.sig"
check_status 1 "an ask is no signature to a car" match "$L/bolo.csv"
like "... saying so" "$(cat "$T/err")" 'not a hotlist signature'
rm -f "$L/edited.ask" "$L/bolo.csv.sig"
check "a supervisor signs the list, with a reason" sign sgt.moreno "$L/bolo.csv"
like "... every plate on it in the access log, with who and why" \
	"$(grep '"action":"hotlist-sign"' "$H/log/log.ndjson" | tail -1)" \
	'"user":"sgt.moreno".*"data":\{"list":"bolo","sha256":"[0-9a-f]{64}","entries":2,"plates":\["7ABC123","8XYZ402"\],"asked_by":"lt.ruiz"\}.*"reason":"bolo list'
like "... and the signature names them" "$(cat "$L/bolo.csv.sig")" \
	'^alpr hotlist signature v1$'
like "... (who signed it)" "$(cat "$L/bolo.csv.sig")" '^by sgt\.moreno$'
like "... (who asked for it)" "$(cat "$L/bolo.csv.sig")" '^asked_by lt\.ruiz$'

printf 'plate,effective\nPARTNR1,2099-01-01\n' >"$L/later.csv"
check "a list whose entry takes effect later is signed" sign sgt.moreno "$L/later.csv"
like "... with that plate in the log too" \
	"$(grep '"action":"hotlist-sign"' "$H/log/log.ndjson" | tail -1)" '"plates":\["PARTNR1"\]'

printf 'plate\n7ABC123\nPA?????\n' >"$L/wide.csv"
check_status 1 "a list with a pattern of two characters is not asked for" ask lt.ruiz "$L/wide.csv"
like "... saying a pattern gives three" "$(cat "$T/err")" 'PA\?\?\?\?\? is too wide: a pattern signed for the cars gives at least three characters'
printf 'plate\n7ABC123\n*A*B*C*\n' >"$L/wide.csv"
check_status 1 "nor one with a pattern of three characters none side by side or at an end" ask lt.ruiz "$L/wide.csv"
printf 'plate\nP??????\n' >"$L/bad.csv"
ask lt.ruiz "$L/bad.csv" 2>"$T/err"
like "a list with a line alpr-match rejects is not asked for, the line named by its file as given" \
	"$(cat "$T/err")" "$L/bad.csv:2: wildcard plate 'P\\?+' would match too much"
printf 'plate\n7ABC123\n' >"$L/ice-detainer.csv"
check_status 1 "a list whose name the policy forbids is not asked for" ask lt.ruiz "$L/ice-detainer.csv"
like "... saying so, by its name" "$(cat "$T/err")" "list name 'ice-detainer' is forbidden by policy"
rm -f "$L/ice-detainer.csv.sig"
printf 'plate\n6TRK9*\n' >"$L/partial.csv"
check "a witness's partial plate is signed" sign sgt.moreno "$L/partial.csv"

# the car loads it, and only it
check "the car loads the signed list" match "$L/bolo.csv"
like "... and is alerted to the stolen car" "$(cat "$T/out")" '"plate":"7ABC123"'
mkdir -p "$T/log" && alpr-audit -d "$T/log" init >/dev/null 2>&1
alpr-match -q -C "$T/car.conf" -L "$T/log" -l "$L/bolo.csv" "$T/reads.ndjson" >/dev/null 2>&1
like "... its load logged with who signed it" "$(grep hotlist-load "$T/log/log.ndjson")" \
	'"signed_by":"sgt\.moreno"'

# the attacks
cp "$L/bolo.csv" "$L/bolo.orig"
printf 'PARTNR1,CA,stolen-vehicle,my partner\n' >>"$L/bolo.csv"
check_status 1 "a plate added to the signed list: the list is not loaded" match "$L/bolo.csv"
like "... saying so" "$(cat "$T/err")" 'bolo.csv: hotlist not loaded: the list is not the one signed'
is "... and no alert is raised, for the partner or the others" "$(cat "$T/out")" ""
alpr-match -q -C "$T/car.conf" -L "$T/log" -l "$L/bolo.csv" "$T/reads.ndjson" >/dev/null 2>&1
like "... and the attempt is in the car's access log" "$(grep hotlist-load "$T/log/log.ndjson" | tail -1)" \
	'"list":"bolo",.*"outcome":"denied","refusal":"the list is not the one signed'
cp "$L/bolo.orig" "$L/bolo.csv"
printf 'plate\nPARTNR1\n' >"$L/mine.csv"
check_status 1 "a list of the officer's own, unsigned, is not loaded" match "$L/mine.csv"
like "... saying a supervisor signs lists" "$(cat "$T/err")" 'no signature .*mine.csv.sig'
cp "$L/bolo.csv.sig" "$L/mine.csv.sig"
check_status 1 "nor with another list's signature beside it" match "$L/mine.csv"
like "... (not the list signed)" "$(cat "$T/err")" 'not the one signed'
sed "s/^sha256 .*/sha256 $(sha256sum "$L/mine.csv" | cut -c1-64)/" "$L/bolo.csv.sig" >"$L/mine.csv.sig"
check_status 1 "nor with that signature's hash edited to the list's" match "$L/mine.csv"
like "... (it does not verify)" "$(cat "$T/err")" 'does not verify'
cp "$L/bolo.csv" "$L/renamed.csv" && cp "$L/bolo.csv.sig" "$L/renamed.csv.sig"
check_status 1 "nor the signed list and its signature copied under another name" match "$L/renamed.csv"
like "... saying the name it was signed under" "$(cat "$T/err")" 'renamed.csv: hotlist not loaded: it was signed as the list bolo, not renamed'
rm -f "$L/renamed.csv" "$L/renamed.csv.sig"
check_status 1 "the signed list loads beside a refused one" match "$L/bolo.csv" "$L/mine.csv"
is "... and only its alerts are raised" "$(grep -c PARTNR1 "$T/out")-$(grep -c 7ABC123 "$T/out")" "0-1"

# a key other than the agency's (hotlist-forge signs with one of its own)
printf 'plate\nPARTNR1\n' >"$L/other.csv"
hotlist-forge "$L/other.csv" >"$T/forger.vkey"
check_status 1 "a list signed with another key is not loaded" match "$L/other.csv"
like "... saying so" "$(cat "$T/err")" 'other.csv: hotlist not loaded: it does not verify'
hotlist-forge -K "$(cat "$T/agency.vkey")" "$L/other.csv" >/dev/null
check_status 1 "nor one whose signature claims the agency's key" match "$L/other.csv"
printf 'hotlist_key = %s\nhotlist_key = %s\n' "$(cat "$T/agency.vkey")" \
	"$(cat "$T/forger.vkey")" >"$T/two.conf"
hotlist-forge "$L/other.csv" >/dev/null
check "a policy may name more than one key" \
	alpr-match -a -C "$T/two.conf" -l "$L/other.csv" -l "$L/bolo.csv" "$T/reads.ndjson"
hotlist-forge -a - "$L/other.csv" >/dev/null
check_status 1 "a signature that names nobody who asked (one supervisor alone) is not loaded" \
	alpr-match -a -C "$T/two.conf" -l "$L/other.csv" "$T/reads.ndjson"
like "... saying another supervisor signs it" "$(cat "$T/err")" \
	'other.csv: hotlist not loaded: it names nobody who asked for the list'
hotlist-forge -a forger "$L/other.csv" >/dev/null
check_status 1 "nor one asked for and signed by the same account" \
	alpr-match -a -C "$T/two.conf" -l "$L/other.csv" "$T/reads.ndjson"
like "... saying so" "$(cat "$T/err")" 'asked for and signed by the same account'
hotlist-forge -t "$(daysago 31)T00:00:00.00Z" "$L/other.csv" >/dev/null
touch "$L/other.csv"
check_status 1 "a list signed longer ago than max_age_days is not loaded, its file touched or not" \
	alpr-match -a -C "$T/two.conf" -l "$L/other.csv" "$T/reads.ndjson"
like "... saying a supervisor signs it again" "$(cat "$T/err")" 'signed 3[12] days ago \(max_age_days is 30\)'

# the car's policy without hotlist_key loads lists as before
: >"$T/open.conf"
check "a car without hotlist_key loads an unsigned list" \
	alpr-match -a -C "$T/open.conf" -l "$L/mine.csv" "$T/reads.ndjson"
like "... (and alerts on it)" "$(cat "$T/out")" '"plate":"PARTNR1"'
printf 'hotlist_key = not-a-key\n' >"$T/bad.conf"
check_status 2 "a policy whose hotlist_key is no key is refused" \
	alpr-match -a -C "$T/bad.conf" -l "$L/bolo.csv" "$T/reads.ndjson"

# the auditor sees every list signed, with its plates
as audit.kim alpr-audit -d "$H/log" report -j >"$T/report" 2>/dev/null
like "the audit report lists a list signed with its plates" \
	"$(grep '"kind":"hotlist-sign"' "$T/report" | grep '"list":"later"')" \
	'"user":"sgt.moreno".*"plates":\["PARTNR1"\]'
as audit.kim alpr-audit -d "$H/log" report >"$T/report.txt" 2>/dev/null
like "... and its table who signed which list of how many" "$(cat "$T/report.txt")" \
	'sgt\.moreno +hotlist-sign +bolo:2 '

# an ask outlives neither its asker's account nor their standing
ask lt.ruiz "$L/bolo.csv"
as admin alpr-store user disable lt.ruiz -R "under internal investigation" >/dev/null 2>&1
check_status 1 "an ask by a supervisor disabled since is not signed" \
	as sgt.moreno alpr-store hotlist sign -R "$R" "$L/bolo.csv.ask"
like "... saying the asker may no longer ask" "$(cat "$T/err")" \
	'asked for by lt\.ruiz, who may no longer ask for one'

# a list is asked for under a name a car can load it by
check_status 1 "a list asked for under no name is refused" \
	as sgt.moreno alpr-store hotlist ask -R "$R" -n lists/ "$L/bolo.csv"
like "... saying it names it with -n" "$(cat "$T/err")" 'the list has no name'
