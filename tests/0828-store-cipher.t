#!/bin/sh
# The store's cipher (alpr-store(1) KEYS): a new store seals with
# AES-256-GCM, the AES of CJIS 5.10.1.2.2, where the processor has AES
# instructions, every value made as lib/store/keys.c says (OpenSSL's AES
# opens them here, not libsodium's), no nonce twice; a store made before,
# of XChaCha20-Poly1305, opens, adds, searches and purges as it did; a
# cipher named wrongly in the meta is refused or shows nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 27

aes=no
grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo && aes=yes

check_status 2 "init --cipher of no such name is refused" \
	alpr-store init -a "Test PD" --password-file /dev/null --cipher rot13
like "by its name" "$(cat "$T/err")" "rot13: no such cipher"
ok $([ ! -e "$H" ] && [ ! -e "$K" ]; echo $?) "and nothing is made"

mkstore || { echo "Bail out! no store"; exit 1; }
if [ $aes = yes ]; then
	is "a new store seals with AES-256-GCM" "$(store-poke -H "$H" cipher)" aes256gcm
else
	is "a new store seals with XChaCha20-Poly1305 (no AES instructions)" \
		"$(store-poke -H "$H" cipher)" xchacha20poly1305
fi
store-gen -n 400 -d 2 -s 11 >"$T/a.ndjson"
store-gen -n 400 -d 2 -s 12 >"$T/b.ndjson"
check "reads are added" alpr-store add -D car1 "$T/a.ndjson"
check "and more, by another process" alpr-store add -D car1 "$T/b.ndjson"
store-poke -H "$H" sealed >"$T/sealed"
is "every read is there, sealed" "$(wc -l <"$T/sealed" | tr -d ' ')" 800
check "every read opens through the store (its kept subkeys)" store-poke -H "$H" check

if [ $aes = yes ]; then
	check "OpenSSL's AES-256-GCM opens every read, subkey and nonce as keys.c says" \
		aes-open <"$T/sealed"
	perl -MJSON::PP -ne 'print decode_json($_)->{plate}, "\n"' "$T/out" | sort >"$T/got"
	cat "$T/a.ndjson" "$T/b.ndjson" | perl -MJSON::PP -ne \
		'print decode_json($_)->{plate}, "\n"' | sort >"$T/want"
	same "what it opens are the reads added" "$T/want" "$T/got"
	head -1 "$T/sealed" | perl -ane '
		my $i = length($F[2]) - 40; my $c = substr($F[2], $i, 1);
		substr($F[2], $i, 1) = $c eq "0" ? "1" : "0"; print "@F\n"' >"$T/forged"
	check_status 1 "one bit changed, it does not open (the tag is checked)" \
		aes-open <"$T/forged"
	head -1 "$T/sealed" | perl -ane '
		substr($F[1], -1) = substr($F[1], -1) eq "0" ? "1" : "0";
		print "@F\n"' >"$T/moved"
	check_status 1 "nor under another record's key (the associated data)" \
		aes-open <"$T/moved"
else
	for d in "OpenSSL's AES-256-GCM opens every read" \
	    "what it opens are the reads added" "one bit changed, it does not open" \
	    "nor under another record's key"; do
		skip "$d" "this processor has no AES instructions"
	done
fi
# a nonce is 24 bytes: the 16 a thread draws, then its counter
cut -d' ' -f3 "$T/sealed" | cut -c1-48 | sort | uniq -d >"$T/twice"
is "no nonce is used twice (800 reads, two processes)" "$(cat "$T/twice")" ""
n=$(cut -d' ' -f3 "$T/sealed" | cut -c1-32 | sort -u | wc -l)
ok $([ "$n" -ge 2 ]; echo $?) "each process drew its own ($n)"
plate=$(sed -n 17p "$T/a.ndjson" | perl -MJSON::PP -ne 'print decode_json($_)->{plate}')
check "a search" sfind jdoe "$plate"
like "finds the read" "$(cat "$T/out")" "\"plate\":\"$plate\""

c=$(store-poke -H "$H" cipher)
store-poke -H "$H" cipher -
check_status 3 "a store of format 3 that names no cipher is not opened" \
	alpr-store -H "$H" whoami
like "and says it is damaged" "$(cat "$T/err")" "names no cipher: it is damaged"
store-poke -H "$H" cipher "$c"

# a store made before the choice: XChaCha20-Poly1305, format 2, no
# cipher in its meta
rm -rf "$H" "$K" "$T"/*.pw "$T"/*.first "$T"/*.totp
mkstore --cipher xchacha20poly1305 || { echo "Bail out! no store"; exit 1; }
check "a store of XChaCha20-Poly1305 made as before" store-poke -H "$H" format2
is "it names no cipher" "$(store-poke -H "$H" cipher)" "-"
check "reads are added to it" alpr-store add -D car1 "$T/a.ndjson"
check "a search" sfind jdoe "$plate"
like "finds the read" "$(cat "$T/out")" "\"plate\":\"$plate\""
if [ $aes = yes ]; then
	store-poke -H "$H" sealed | head -1 >"$T/sealed"
	check_status 1 "its reads are not AES-256-GCM" aes-open <"$T/sealed"
else
	skip "its reads are not AES-256-GCM" "this processor has no AES instructions"
fi

# the meta says another cipher than the reads were sealed with
store-poke -H "$H" cipher aes256gcm
if [ $aes = yes ]; then
	sfind jdoe "$plate" >"$T/out" 2>"$T/err"
	s=$?
	ok $([ $s -ne 0 ] && ! grep -q "$plate" "$T/out"; echo $?) \
		"a cipher swapped in the meta: the search fails, nothing shown"
else
	skip "a cipher swapped in the meta" "this processor has no AES instructions"
fi
store-poke -H "$H" cipher rot13
check_status 3 "a cipher the program does not know: the store is not opened" \
	sfind jdoe "$plate"
like "and says so" "$(cat "$T/err")" "a cipher this program does not know"
done_testing
