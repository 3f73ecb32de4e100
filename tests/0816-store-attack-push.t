#!/bin/sh
# Attacks on push and the server's side of it: a batch the server fails
# to store answered for by the next; a car that never reads its standard
# error holding every writer of the server; a server (or whoever answers
# for it) that says it stored what it did not; a purge giving a day a new
# key while an ingest waits; reads from the far future; two pushes at
# once; a read that does not open keeping the car's purge from its work.
# The server's forced command runs here as sshd would run it (0807 runs
# the real sshd).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root: a small tmpfs for the server's frames"
. "$(dirname "$0")/store.sh"
plan 17

H=$T/srv K=$T/srv.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
mkstore || { echo "Bail out! no server store"; exit 1; }
SRV=$H SRVK=$K
mkdir "$T/srv.files" && mv "$T"/*.totp "$T"/*.pw "$T"/*.first "$T/srv.files/"
H=$T/car K=$T/car.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
mkstore || { echo "Bail out! no car store"; exit 1; }
# both keep 400 days, so that reads past a year go in and a purge to
# a year (the least alpr.conf takes) removes them
for c in "$H" "$SRV"; do
	sed -i 's/^#* *retention_days = .*/retention_days = 400/;
	    s/^#* *retention_hit_days = .*/retention_hit_days = 400/' "$c/alpr.conf"
done
cp -a "$H" "$T/car0"; cp "$K" "$T/car0.key"
cp -a "$SRV" "$T/srv0"; cp "$SRVK" "$T/srv0.key"
srv() {		# the server's forced command for car1's key
	env ALPR_HOME="$SRV" ALPR_KEY_FILE="$SRVK" SSH_ORIGINAL_COMMAND=add \
	    SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 22" alpr-store --device car1
}
cat >"$T/fakessh" <<EOF
#!/bin/sh
exec env ALPR_HOME="$SRV" ALPR_KEY_FILE="$SRVK" SSH_ORIGINAL_COMMAND=add \\
    SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 22" "$top/bin/alpr-store" --device car1
EOF
chmod +x "$T/fakessh"
fresh() {	# both stores as they were made
	rm -rf "$H" "$SRV"; cp -a "$T/car0" "$H"; cp "$T/car0.key" "$K"
	cp -a "$T/srv0" "$SRV"; cp "$T/srv0.key" "$SRVK"
}
nsrv() { store-poke -H "$SRV" count | cut -d' ' -f2; }
ncar() { store-poke -H "$H" count | cut -d' ' -f2; }
npushed() { store-poke -H "$H" count | cut -d' ' -f10; }
mkread() {	# epoch.cc image-or-"" plate x
	perl -MPOSIX=strftime -e '
	my ($t, $img, $plate, $x) = @ARGV;
	my $s = int($t); my $cc = sprintf("%02d", ($t - $s) * 100 + 0.5);
	my $ts = strftime("%Y-%m-%dT%H:%M:%S", gmtime $s) . ".${cc}Z";
	my $id = strftime("%Y%m%dT%H%M%S", gmtime $s) . ".${cc}Z-" .
	    ($img ? substr($img, 0, 12) : "000000000000") . "-cam1";
	print qq({"type":"read","v":1,"id":"$id","ts":"$ts","camera":"cam1",),
	    ($img ? qq("image":"$img",) : ""),
	    qq("plate":"$plate","conf":90,"box":[$x,20,100,50]}\n);' "$@"
}
now=$(date +%s)

# 1. the server's frame disk fills while a batch is stored: that batch is
# not answered for, by the batch after it or at all
sed -i 's/^#* *ingest_batch = .*/ingest_batch = 30/' "$SRV/alpr.conf"
mkdir -p "$T/spool"
: >"$T/old.ndjson"
for i in $(seq 1 25); do
	head -c 2000000 /dev/urandom >"$T/f"
	h=$(sha256sum "$T/f" | cut -d' ' -f1)
	mkdir -p "$T/spool/$(echo $h | cut -c1-2)"; mv "$T/f" "$T/spool/$(echo $h | cut -c1-2)/$h"
	mkread "$((now - 368 * 86400 + i)).25" "$h" "OLD$(printf %03d $i)" 10 >>"$T/old.ndjson"
done
store-gen -n 600 -d 1 -s 5 >"$T/new.ndjson"
ALPR_SPOOL=$T/spool alpr-store add -D car1 "$T/old.ndjson" "$T/new.ndjson" 2>/dev/null
mount -t tmpfs -o size=20m,mode=0700 tmpfs "$SRV/spool" || { echo "Bail out! no tmpfs"; exit 1; }
trap 'umount "$SRV/spool" 2>/dev/null' EXIT
alpr-store push -e "$T/fakessh" srv >/dev/null 2>"$T/err"
s=$?
ok $([ "$(npushed)" -le "$(nsrv)" ]; echo $?) "a failed batch: the car notes no more stored ($(npushed)) than the server has ($(nsrv))"
is "... and the push says it did not finish" "$s" 3
sed -i 's/^#* *retention_days = .*/retention_days = 365/' "$H/alpr.conf"
alpr-purge >/dev/null 2>&1
umount "$SRV/spool"; trap - EXIT
alpr-store push -e "$T/fakessh" srv >/dev/null 2>&1
is "... the car's purge kept them, and a push with room again brings all 25" \
	"$(store-poke -H "$SRV" -K "$SRVK" dump | grep -c '"plate":"OLD')" 25

# 2. a car that never reads its standard error holds no writer of the
# server: its messages are dropped, not waited on
fresh
perl -MPOSIX=strftime -e 'my $t = $ARGV[0] - 600;
	for my $i (1 .. 3000) {
		my $h = sprintf("%064x", 0xabc000 + $i); my $s = $t + $i;
		my $ts = strftime("%Y-%m-%dT%H:%M:%S", gmtime $s) . ".10Z";
		my $id = strftime("%Y%m%dT%H%M%S", gmtime $s) . ".10Z-" . substr($h, 0, 12) . "-cam9";
		print qq({"type":"read","v":1,"id":"$id","ts":"$ts","camera":"cam9","image":"$h","plate":"ATK$i","box":[1,2,3,4]}\n);
	}' "$now" >"$T/atk.ndjson"
mkfifo "$T/errfifo"
exec 4<>"$T/errfifo"		# held open, never read
srv <"$T/atk.ndjson" >"$T/atk.ack" 2>"$T/errfifo" &
ap=$!
sleep 2
mkread "$((now - 30)).10" "" "7GOOD01" 10 >"$T/good"
ALPR_HOME=$SRV ALPR_KEY_FILE=$SRVK timeout 20 alpr-store add -D car1 "$T/good" 2>/dev/null
is "another device's add goes on while a car leaves its messages unread" "$?" 0
wait $ap
exec 4>&-
like "... and the silent car's reads were answered for all the same" "$(tail -1 "$T/atk.ack")" '"through":3000'

# 3. a server that says it stored what it did not is not believed
fresh
store-gen -n 300 -d 1 -s 9 -t $((now - 370 * 86400)) | grep -v '"hits"' >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
printf '#!/bin/sh\necho %s\ncat >/dev/null\n' "'{\"through\":999999999}'" >"$T/liar"
printf '#!/bin/sh\necho %s\ncat >/dev/null\n' "'{\"type\":\"stored\",\"v\":1,\"from\":5,\"through\":999999,\"refused\":[]}'" >"$T/liar2"
chmod +x "$T/liar" "$T/liar2"
check_status 3 "an answer that is not a store's is not believed" alpr-store push -e "$T/liar" srv
like "... saying so" "$(cat "$T/err")" "does not follow on"
alpr-store push -e "$T/liar2" srv >/dev/null 2>&1
is "... nor one that does not follow on from the line before" "$(npushed)" 0
sed -i 's/^#* *retention_days = .*/retention_days = 365/' "$H/alpr.conf"
alpr-purge >/dev/null 2>&1
is "... and the car's purge keeps every read" "$(ncar)" "$(wc -l <"$T/r.ndjson")"

# 4. a purge gives a day a new key while an ingest of that day waits
fresh
export ALPR_HOME=$SRV ALPR_KEY_FILE=$SRVK
d=$((now - 375 * 86400))
hit=',"hits":[{"list":"stolen","file":"stolen.csv","line":1,"entry":"X","category":"stolen-vehicle","match":"exact","matched":"X"}]}'
{ mkread "$d.10" "" "PLAIN01" 10; mkread "$d.20" "" "HITONE1" 10 | sed "s/}\$/$hit/"; } >"$T/first"
alpr-store add -D car1 "$T/first" 2>/dev/null
mkfifo "$T/fifo"
srv <"$T/fifo" >"$T/acks" 2>/dev/null &
sp=$!
exec 3>"$T/fifo"
mkread "$d.30" "" "HITTWO2" 10 | sed "s/}\$/$hit/" >&3
sleep 1
sed -i 's/^#* *retention_days = .*/retention_days = 370/' "$SRV/alpr.conf"
alpr-purge >/dev/null 2>&1
mkread "$d.40" "" "HITTRE3" 10 | sed "s/}\$/$hit/" >&3
exec 3>&-
wait $sp
check "every read opens under its day's key after the purge" store-poke -H "$SRV" -K "$SRVK" check
like "the read stored after the day's new key is found" "$(sfind jdoe HITTRE3 2>&1)" HITTRE3

# 5. reads from the far future are not kept
printf '%s\n' "$(mkread 5600000000.00 "" FUTURE1 10)" >"$T/future"
check_status 1 "a read timed in 2147 is refused" alpr-store add -D car1 "$T/future"
like "... saying why" "$(cat "$T/err")" "more than a day ahead"

# 6. two pushes at once: the second says so and sends nothing
fresh
export ALPR_HOME=$H ALPR_KEY_FILE=$K
store-gen -n 200 -d 1 -s 3 >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
printf '#!/bin/sh\nsleep 3\nexec "%s" "$@"\n' "$T/fakessh" >"$T/slowssh"
chmod +x "$T/slowssh"
alpr-store push -e "$T/slowssh" srv >/dev/null 2>&1 &
pp=$!
sleep 1
check_status 1 "a second push while one runs is refused" alpr-store push -e "$T/fakessh" srv
wait $pp
is "... the first sent everything once" "$(nsrv)" 200

# 7. a read that does not open: never sent, and it keeps nothing back
fresh
store-gen -n 50 -d 1 -s 4 -t $((now - 370 * 86400)) | grep -v '"hits"' >"$T/r.ndjson"
alpr-store add -D car1 "$T/r.ndjson" 2>/dev/null
store-poke -H "$H" swap-reads
check_status 1 "a push with two reads that do not open sends the rest, and says so" \
	alpr-store push -v -e "$T/fakessh" srv
sed -i 's/^#* *retention_days = .*/retention_days = 365/' "$H/alpr.conf"
alpr-purge >/dev/null 2>&1
is "... and the car's purge is not held back by them" "$(ncar)" 0
done_testing
