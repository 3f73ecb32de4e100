#!/bin/sh
# alpr-capture -g: position from gpsd, fed a recorded NMEA log by gpsfake.
. "$(dirname "$0")/lib.sh"
plan 11

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

# A recorded fix: Sacramento, 38.5816 N 121.4944 W (RMC, GGA, GSA; looped).
cat >fix.nmea <<'NMEA'
$GPRMC,120000.00,A,3834.8960,N,12129.6640,W,0.0,0.0,221126,,,A*4D
$GPGGA,120000.00,3834.8960,N,12129.6640,W,1,08,0.9,10.0,M,-30.0,M,,*65
$GPGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.5,0.9,1.2*34
$GPRMC,120001.00,A,3834.8960,N,12129.6640,W,0.0,0.0,221126,,,A*4C
$GPGGA,120001.00,3834.8960,N,12129.6640,W,1,08,0.9,10.0,M,-30.0,M,,*64
$GPGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.5,0.9,1.2*34
NMEA
PATH=$PATH:/usr/sbin
if ! command -v gpsfake >/dev/null || ! command -v gpsd >/dev/null; then
	for i in 5 6 7 8 9 10 11; do skip "gpsfake $i" "gpsfake or gpsd not installed"; done
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
	is "record members" "$(capture-get -k <out | head -1)" \
		"type v id ts tsrc src image w h lat lon"
	is "records valid" "$(rec-echo <out | wc -l | tr -d ' ')" 2
else
	for i in 5 6 7 8; do skip "gpsfake fix $i" "$reason"; done
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
	for i in 9 10 11; do skip "gpsfake no fix $i" "$reason"; done
fi
done_testing
