#!/bin/sh
# alpr-store push: a car's reads and frames sent on to the server over a
# real SSH link (sshd on 127.0.0.1 with keys of its own), the server adding
# them as the car's device account by the key's forced command. A link cut
# half-way loses and duplicates nothing; both stores then hold the same
# reads and frames, read by read; the car's purge keeps what the server
# has not stored.
. "$(dirname "$0")/lib.sh"
for p in sshd ssh ssh-keygen; do
	PATH=$PATH:/usr/sbin command -v $p >/dev/null ||
		skip_all "$p not installed (scripts/deps installs openssh)"
done
[ "$(id -u)" = 0 ] || skip_all "needs root: sshd runs the forced command as root"
. "$(dirname "$0")/store.sh"
plan 23

# the server's store, and the car's, each with a device account car1
H=$T/srv K=$T/srv.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
mkstore || { echo "Bail out! no server store"; exit 1; }
SRV=$H SRVK=$K
sed -i 's/^#* *ingest_batch = .*/ingest_batch = 400/; s/^#* *retention_days = .*/retention_days = 400/; s/^#* *retention_hit_days = .*/retention_hit_days = 400/' "$SRV/alpr.conf"
H=$T/car K=$T/car.key
export ALPR_HOME=$H ALPR_KEY_FILE=$K
mkdir "$T/srv.files" && mv "$T"/*.totp "$T"/*.pw "$T"/*.first "$T/srv.files/"
mkstore || { echo "Bail out! no car store"; exit 1; }

# the car's reads: two of each sample frame, and 6000 without frames
export ALPR_SPOOL=$T/spool
# -t: the frames stamped now, not with the sample files' times (a
# checkout's, and past the retention once it is a year old)
alpr-capture -t -c car1 "$top"/samples/frame*.jpg 2>/dev/null |
perl -MJSON::PP -ne '
	my $f = decode_json($_);
	for my $x (10, 300) {
		$f->{type} = "read"; $f->{plate} = sprintf("PSH%d%03d", $., $x);
		$f->{conf} = 90; $f->{box} = [$x, 20, 100, 50];
		print JSON::PP->new->canonical->encode($f), "\n";
	}' >"$T/withframes.ndjson"
store-gen -n 6000 -d 2 -s 11 >"$T/gen.ndjson"
alpr-store add -D car1 "$T/withframes.ndjson" "$T/gen.ndjson" 2>"$T/err"
ncar=$(store-poke -H "$H" count | cut -d' ' -f2)
is "the car holds 6012 reads" "$ncar" 6012

# sshd with its own host key; the car's key may only add, as car1
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/carkey"
port=$((20000 + $$ % 20000))
printf 'command="env ALPR_HOME=%s ALPR_KEY_FILE=%s ALPR_DATADIR=%s %s/bin/alpr-store --device car1",restrict %s\n' \
	"$SRV" "$SRVK" "$ALPR_DATADIR" "$top" "$(cat "$T/carkey.pub")" >"$T/authorized_keys"
cat >"$T/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin forced-commands-only
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd.pid
EOF
mkdir -p /run/sshd
/usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" || { echo "Bail out! no sshd"; exit 1; }
trap 'kill $(cat "$T/sshd.pid") 2>/dev/null' EXIT
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
SSH="ssh -F /dev/null -p $port -i $T/carkey -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=yes"
nsrv() { store-poke -H "$SRV" count | cut -d' ' -f2; }

# the first push, its ssh killed half-way (its input slowed to about
# 4 MB/s, so that half-way lasts long enough to be seen)
cat >"$T/slowssh" <<'EOF'
#!/bin/sh
perl -e '$| = 1; while (sysread(STDIN, $b, 8192)) { syswrite(STDOUT, $b); select(undef, undef, undef, 0.002) }' | ssh "$@"
EOF
chmod +x "$T/slowssh"
alpr-store push -e "$T/slowssh ${SSH#ssh }" root@127.0.0.1 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ "$(nsrv)" -lt 800 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
pkill -f "^ssh -F /dev/null -p $port"
wait $pid
s=$?
i=0	# the server's side stores what reached it, then ends
while pgrep -f "bin/alpr-store --device car1" >/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
mid=$(nsrv)
ok $([ "$mid" -gt 0 ] && [ "$mid" -lt "$ncar" ]; echo $?) "the link cut half-way: the server has some reads ($mid of $ncar)"
is "... the push fails" "$s" 3
like "... saying what goes again" "$(cat "$T/err")" "the link ended before the server had answered for everything"
noted=$(store-poke -H "$H" count | cut -d' ' -f10)
ok $([ "$noted" -le "$mid" ]; echo $?) "... the car notes as stored no more than the server has ($noted)"

# the second push finishes
check "the push again finishes" alpr-store push -v -e "$SSH" root@127.0.0.1
like "... sending only what the server had not confirmed" "$(cat "$T/err")" \
	"$((ncar - noted)) reads and [0-9]+ frames sent, $((ncar - noted)) stored and 0 refused by the server; 0 not stored there yet"
is "the server holds every read once" "$(nsrv)" "$ncar"
dups=$(grep '"action":"add"' "$SRV/log/log.ndjson" | perl -MJSON::PP -ne '$d += decode_json($_)->{duplicates}; END { print $d + 0 }')
is "... those sent twice counted as duplicates" "$dups" "$((mid - noted))"
is "the car notes every read stored" "$(store-poke -H "$H" count | cut -d' ' -f10)" "$ncar"

# both stores, read by read: the same record (the server's "stored" one
# entry longer) and the same frame
store-poke -H "$H" -K "$K" dump | perl -MJSON::PP -F'\t' -ane '
	chomp $F[2]; my $r = decode_json($F[2]);
	print "$F[0] $F[1] ", JSON::PP->new->canonical->encode($r), "\n"' | sort >"$T/car.dump"
store-poke -H "$SRV" -K "$SRVK" dump | perl -MJSON::PP -F'\t' -ane '
	chomp $F[2]; my $r = decode_json($F[2]); my $s = pop @{$r->{stored}};
	die "not stored by car1\n" unless $s->{by} eq "car1";
	print "$F[0] $F[1] ", JSON::PP->new->canonical->encode($r), "\n"' | sort >"$T/srv.dump"
ok $(cmp -s "$T/car.dump" "$T/srv.dump"; echo $?) "both stores hold the same reads and frames, read by read"
is "... 12 of them with their frame" "$(grep -vc ' - ' "$T/srv.dump")" 12
like "... a read's provenance names the car, then the server's device account" \
	"$(store-poke -H "$SRV" -K "$SRVK" dump | grep PSH1010)" \
	'"stored":\[\{"by":"car1","client":"root","at":"[^"]*"\},\{"by":"car1","client":"car1","at":"[^"]*"\}\]'
check "a push with nothing new sends nothing" alpr-store push -v -e "$SSH" root@127.0.0.1
like "... saying so" "$(cat "$T/err")" " 0 reads and 0 frames sent"
like "every push is in the car's access log first, with its count" \
	"$(entries push | head -1)" '"action":"push".*"target":"root@127.0.0.1".*"count":6012'

# the car's purge keeps what the server has not stored
store-gen -n 50 -d 1 -s 12 -t $(( $(date +%s) - 375 * 86400 )) >"$T/old.ndjson"
sed -i 's/^#* *retention_days = .*/retention_days = 400/; s/^#* *retention_hit_days = .*/retention_hit_days = 400/' "$H/alpr.conf"
alpr-store add -D car1 "$T/old.ndjson" 2>/dev/null
nold=$(grep -vc '"hits"' "$T/old.ndjson")	# those with hits stay longer
sed -i 's/^#* *retention_days = .*/retention_days = 365/' "$H/alpr.conf"
alpr-purge -v >"$T/out" 2>&1
like "the car's purge keeps the $nold old reads the server does not have" "$(cat "$T/out")" "kept until pushed: $nold reads"
check "... they go to the server" alpr-store push -e "$SSH" root@127.0.0.1
alpr-purge -v >"$T/out2" 2>&1
is "... and then from the car" "$(store-poke -H "$H" count | cut -d' ' -f2)" "$((ncar + 50 - nold))"
like "... the day's reads with hits kept under a new key" "$(entries purge | tail -1)" '"days_rekeyed":1'
check "a push then sends nothing: they keep their marks" alpr-store push -v -e "$SSH" root@127.0.0.1
like "... saying so" "$(cat "$T/err")" " 0 reads and 0 frames sent"

# not through sudo: a push runs no ssh of a caller's choosing
as pat.ops alpr-store push -e "touch $T/pwned" root@127.0.0.1 2>"$T/err"
ok $([ $? -ne 0 ] && [ ! -e "$T/pwned" ]; echo $?) "a push through sudo is refused, running nothing"
done_testing
