#!/bin/sh
# alpr-capture -g: position from gpsd, fed a recorded NMEA log by gpsfake.
. "$(dirname "$0")/lib.sh"
plan 22

S=$T/spool
export TZ=UTC
cd "$T" || exit 1
capture-mkimage -x 1 64 48 a.jpg
capture-mkimage -x 2 64 48 b.jpg

# No gpsd there: frames go without a position, one warning, exit 0.
port=$((20000 + $$ % 20000))
check "-g with nothing listening still captures" \
	alpr-capture -S "$S" -g"127.0.0.1:$port" a.jpg b.jpg
is "no lat/lon" "$(capture-get lat lon <"$T/out")" "- -
- -"
like "one warning naming gpsd" "$(cat "$T/err")" \
	"^alpr-capture: unable to connect to gpsd at 127.0.0.1:$port"
is "only one" "$(wc -l <"$T/err" | tr -d ' ')" 1
check "-g host:port with a space" alpr-capture -S "$S" -g "127.0.0.1:$port" a.jpg
like "is taken as gpsd's address" "$(cat "$T/err")" \
	"^alpr-capture: unable to connect to gpsd at 127.0.0.1:$port"
check "-g before a file is still -g alone" alpr-capture -S "$S" -g a.jpg
like "gpsd at localhost" "$(cat "$T/err")" "gpsd at localhost:2947"
is "and the file captured" "$(capture-get src <"$T/out")" a.jpg

# A recorded fix: Sacramento, 38.5816 N 121.4944 W (GGA, GSA, RMC; looped),
# 3D from its first report, with gpsd's error estimate of 17.1 m.
cat >fix.nmea <<'NMEA'
$GPGGA,120000.00,3834.8960,N,12129.6640,W,1,08,0.9,10.0,M,-30.0,M,,*65
$GPGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.5,0.9,1.2*34
$GPRMC,120000.00,A,3834.8960,N,12129.6640,W,0.0,0.0,221126,,,A*4D
$GPGGA,120001.00,3834.8960,N,12129.6640,W,1,08,0.9,10.0,M,-30.0,M,,*64
$GPGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.5,0.9,1.2*34
$GPRMC,120001.00,A,3834.8960,N,12129.6640,W,0.0,0.0,221126,,,A*4C
NMEA
PATH=$PATH:/usr/sbin
if ! command -v gpsfake >/dev/null || ! command -v gpsd >/dev/null; then
	for i in 10 11 12 13 14 15 16 17 18 19 20 21 22; do skip "gpsd $i" "gpsfake or gpsd not installed"; done
	done_testing
fi

# fake LOG: run gpsfake on LOG and alpr-capture against it until gpsd
# answers (bounded: gpsd takes a moment to come up); out and err hold the
# last run. 0 when that worked, else 1 with the reason in $reason.
fake() {
	port=$((port + 1))
	gpsfake -q -P "$port" -c 0.2 "$1" >gpsfake.log 2>&1 &
	gf=$!
	i=0
	while [ "$i" -lt 15 ] && kill -0 "$gf" 2>/dev/null; do
		alpr-capture -S "$S" -g"localhost:$port" a.jpg b.jpg >out 2>err
		grep -q "unable to connect" err || break
		sleep 1; i=$((i + 1))
	done
	if ! kill -0 "$gf" 2>/dev/null; then
		wait "$gf" 2>/dev/null
		reason=$(grep -v DBUS gpsfake.log | head -1)
		reason="gpsfake could not run: ${reason:-no reason given}"
		return 1
	fi
	kill "$gf" 2>/dev/null
	wait "$gf" 2>/dev/null
	if grep -q "unable to connect" err; then
		reason="gpsd did not answer on port $port"
		return 1
	fi
	return 0
}

if fake fix.nmea; then
	# the first fix may come after the 2 s wait: then try once more
	[ "$(capture-get lat <out | head -1)" = "-" ] && fake fix.nmea
	is "frames carry the fix" "$(capture-get lat lon <out)" \
"38.5816000 -121.4944000
38.5816000 -121.4944000"
	is "no warning with a fix" "$(cat err)" ""
	# the fix's time and error come once gpsd has them (below)
	is "record members" "$(capture-get -k <out | head -1 | sed 's/ fix_ts//; s/ fix_err//')" \
		"type v id ts tsrc src image w h lat lon"
	is "records valid" "$(rec-echo <out | wc -l | tr -d ' ')" 2
else	# gpsd is installed: not answering is a failure, never a skip
	for i in 10 11 12 13; do ok 1 "gpsfake fix $i: $reason"; done
fi

# gpsd up, receiver without a fix (RMC void, GGA quality 0, GSA mode 1)
cat >nofix.nmea <<'NMEA'
$GPRMC,120000.00,V,,,,,,,221126,,,N*7A
$GPGGA,120000.00,,,,,0,00,99.9,,,,,,*5C
$GPGSA,A,1,,,,,,,,,,,,,99.9,99.9,99.9*09
NMEA
if fake nofix.nmea; then
	is "no fix: no lat/lon" "$(capture-get lat lon <out)" "- -
- -"
	like "no fix: warned" "$(cat err)" "^alpr-capture: no GPS fix from gpsd at localhost:$port"
	is "no fix: warned once" "$(wc -l <err | tr -d ' ')" 1
else
	for i in 14 15 16; do ok 1 "gpsfake no fix $i: $reason"; done
fi

# gpsd stays up while the receiver goes silent: gpsd reads the fix from a
# feeder on TCP that sends it for 3 s, is silent for 4, then sends again.
# A frame in the silence gets no position (with --gps-age 1), and a
# warning; one after it gets the position again.
cat >feed.py <<'PY'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
lines = open(sys.argv[1], "rb").read().splitlines(True)
t0, i = time.time(), 0
while time.time() - t0 < 11:
    if not 3 <= time.time() - t0 < 7:
        c.sendall(lines[i % len(lines)])
        i += 1
    time.sleep(0.1)
PY
if ! command -v python3 >/dev/null; then
	for i in 17 18 19 20 21 22; do skip "silent receiver $i" "no python3"; done
	done_testing
fi
python3 feed.py fix.nmea >feed.port &
feeder=$!
i=0
while [ $i -lt 50 ] && [ ! -s feed.port ]; do sleep 0.1; i=$((i + 1)); done
port=$((port + 1))
gpsd -N -n -S "$port" "tcp://127.0.0.1:$(cat feed.port)" >gpsd.log 2>&1 &
gpsd=$!
ms() { echo $(( $(date +%s%N) / 1000000 )); }
start=$(ms)
at() {	# MS: wait until that many milliseconds after start
	while [ $(( $(ms) - start )) -lt "$1" ]; do sleep 0.1; done
}
mkfifo gfifo
alpr-capture -m -S "$S" --gps-age 1 -g "localhost:$port" gfifo >gout 2>gerr &
cap=$!
exec 3<>gfifo	# read-write: no wait for a reader that failed
at 2000; cat a.jpg >&3
at 5500; cat b.jpg >&3	# in the middle of the silence
at 9000; cat a.jpg >&3
exec 3>&-
wait $cap
kill $gpsd $feeder 2>/dev/null
wait $gpsd $feeder 2>/dev/null
if grep -q "unable to connect" gerr; then
	for i in 17 18 19 20 21 22; do ok 1 "silent receiver $i: gpsd did not answer"; done
else
	is "three frames" "$(capture-get seq <gout | tr '\n' ' ')" "1 2 3 "
	is "a fresh fix, none in the silence, then a fresh one" \
		"$(capture-get lat <gout)" "38.5816000
-
38.5816000"
	like "a fix's time, from the receiver, and its error estimate" \
		"$(capture-get -k <gout | head -1; capture-get fix_ts fix_err <gout | sed -n 1p)" \
		"^type v id ts tsrc seq image w h lat lon fix_ts fix_err
2026-11-22T12:00:0[01].00Z 17.1000000$"
	is "none of them in the silence" "$(capture-get fix_ts fix_err <gout | sed -n 2p)" "- -"
	like "warned" "$(cat gerr)" \
		"^alpr-capture: the last GPS fix from gpsd at localhost:$port is [0-9.]+ s old \\(the receiver is silent\\): frames get no position until a new one comes$"
	is "once" "$(wc -l <gerr | tr -d ' ')" 1
fi
done_testing
