#!/bin/sh
# Attacks on signed hotlists (0836) by an officer who would be alerted to
# a partner's car: lines of the signature given by the list's file name,
# a signed list read by other column names, an entry expired when signed
# and in force on a car whose clock is behind, each run: the list is not
# loaded or not signed, or the plate is in the access log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 21
mkstore || { echo "Bail out! no store"; exit 1; }

L=$T/lists
mkdir -p "$L"
R="bolo list for the day shift, from the stolen vehicle reports"
read1() {	# SECOND PLATE
	printf '{"type":"read","v":1,"id":"20261103T1000%s.00Z-0123456789ab-cam1","ts":"2026-11-03T10:00:%s.00Z","camera":"cam1","plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$1" "$1" "$2"
}
{ read1 01 7ABC123; read1 02 PARTNR1; } >"$T/reads.ndjson"
as sgt.moreno alpr-export key >"$T/agency.vkey" 2>/dev/null
printf 'hotlist_key = %s\n' "$(cat "$T/agency.vkey")" >"$T/car.conf"
match() {	# [OPTION...] LIST: the car's alpr-match, alerts only
	alpr-match -a -C "$T/car.conf" "$@" "$T/reads.ndjson"
}
printf 'plate\nPARTNR1\n' >"$L/partner.csv"
H1=$(sha256sum "$L/partner.csv" | cut -c1-64)

# a line break in the list's name: the signature's lines after it are
# the officer's (the partner's list's hash, before the one signed)
printf 'plate,reason\n7ABC123,stolen\n' >"$L/day
sha256 $H1.csv"
check_status 1 "a list whose name holds a line break is not asked for" \
	as lt.ruiz alpr-store hotlist ask -R "$R" "$L/day
sha256 $H1.csv"
is "... no ask is made" "$(cat "$T/out")" ""
like "... saying why" "$(cat "$T/err")" 'control character: rename the file'
like "... the refusal logged" "$(grep '"action":"hotlist-ask"' "$H/log/log.ndjson" | tail -1)" \
	'"outcome":"denied"'
cp "$T/out" "$L/partner.csv.sig"
check_status 1 "... and the partner's list is not loaded" match -l "$L/partner.csv"
is "... nor an alert raised" "$(cat "$T/out")" ""
# a signature whose lines give the hash twice (made with a key the
# policy names, as a key the agency's signer could be made to sign with)
printf 'plate\n7ABC123\n' >"$L/day.csv"
hotlist-forge -n "day
sha256 $H1" "$L/day.csv" >"$T/forger.vkey"
printf 'hotlist_key = %s\n' "$(cat "$T/forger.vkey")" >"$T/forger.conf"
cp "$L/day.csv.sig" "$L/partner.csv.sig"
check_status 1 "a signature that gives sha256 twice is refused" \
	alpr-match -a -C "$T/forger.conf" -l "$L/partner.csv" "$T/reads.ndjson"
like "... saying so" "$(cat "$T/err")" 'a line of it is given twice'

# a signed list read by other column names: its notes column as the
# plate, the partner's plate in it, none of it in the access log
printf 'plate,notes\n7ABC123,PARTNR1\n' >"$L/notes.csv"
signlist sgt.moreno "$L/notes.csv"
like "a list with notes is signed, one plate logged" \
	"$(grep '"action":"hotlist-sign"' "$H/log/log.ndjson" | tail -1)" '"plates":\["7ABC123"\]'
check "... and loads" match -l "$L/notes.csv"
check_status 1 "read with --columns naming its notes the plate, it is not loaded" \
	match --columns notes,plate -l "$L/notes.csv"
is "... nor an alert raised" "$(cat "$T/out")" ""
mkdir -p "$L/dir" && cp "$L/notes.csv" "$L/notes.csv.sig" "$L/dir/"
check_status 1 "... nor from a folder of lists" match --columns notes,plate -l "$L/dir"

# an entry expired when the list is signed is in force on a car whose
# clock is behind (set back by the officer, or never set): it is logged
printf 'plate,expires\n7ABC123,\nPARTNR1,2001-01-01\n' >"$L/old.csv"
check "a list with an entry long expired is signed" signlist sgt.moreno "$L/old.csv"
like "... and the expired entry's plate is in the access log" \
	"$(grep '"action":"hotlist-sign"' "$H/log/log.ndjson" | tail -1)" \
	'"entries":2,"plates":\["7ABC123","PARTNR1"\]'

# a release request for a read by id, under a case that holds another:
# the read approved (its plate shown to the one who decides) is the one
# released, not what the case's holds hold
now=$(date -u +%Y-%m-%dT%H)
sread() {	# SECOND PLATE
	printf '{"type":"read","v":1,"id":"%s-0123456789ab-cam1","ts":"%s","camera":"cam1","lat":38.5,"lon":-121.4,"plate":"%s","conf":90,"box":[1,2,3,4]}\n' \
	    "$(echo "$now:00:$1.00Z" | tr -d ':-')" "$now:00:$1.00Z" "$2"
}
rid() {		# SECOND: the read id of sread's read
	echo "$(echo "$now:00:$1.00Z" | tr -d ':-')-0123456789ab-cam1/1,2"
}
{ sread 01 7ABC123; sread 02 8XYZ402; } >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" >/dev/null 2>&1
C="silver sedan reported stolen from the Main St lot"
as sgt.moreno alpr-store hold add -C 26-0117 -R "$C" --id "$(rid 02)" >/dev/null 2>&1
printf 'CA Sacramento County Sheriff'"'"'s Office\n' >"$H/agencies"
sed -i 's/^release_agencies = .*/release_agencies = agencies/' "$H/alpr.conf"
check "a request for a read by id, under a case that holds another read" \
	as sgt.moreno alpr-export request --agency "Sacramento County Sheriff's Office" \
	--agency-state CA --requester "Det. Ruiz" \
	--purpose "the stolen sedan seen in their county last week" \
	-C 26-0117 --id "$(rid 01)"
like "... shows the one who decides the read's plate" \
	"$(as lt.ruiz alpr-export requests 2>/dev/null | grep '^R1 ')" 'plates 7ABC123$'
check "... which another supervisor approves" as lt.ruiz alpr-export approve R1
check "... and the filer releases" as sgt.moreno alpr-export --release R1 "$T/rel1"
like "... the read asked for is released" "$(cat "$T/rel1/reads.ndjson" 2>/dev/null)" '"plate":"7ABC123"'
is "... and not the read the case holds" "$(grep -c 8XYZ402 "$T/rel1/reads.ndjson" 2>/dev/null)" 0
