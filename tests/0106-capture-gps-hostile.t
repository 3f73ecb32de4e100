#!/bin/sh
# alpr-capture -g against whatever answers on the gpsd port: lines without
# an end, control bytes, endless lines. Frames keep flowing, without a
# position, with one warning; a good line after the garbage is still read.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "no python3"
plan 11
S=$T/spool
cd "$T" || exit 1
capture-mkimage -x 1 64 48 a.jpg
capture-mkimage -x 2 64 48 b.jpg
port=$((20000 + ($$ * 7) % 20000))
tpv='{"class":"TPV","mode":3,"lat":38.5816,"lon":-121.4944}\n'

# run DESC PAYLOAD: a peer on the gpsd port takes one connection, reads
# the WATCH command, sends PAYLOAD (Python escapes) and holds on; capture
# two frames against it, 6 seconds at most.
run() {
	port=$((port + 1))
	rm -f ready
	python3 - "$port" "$2" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(1)
open('ready', 'w').close()
s.settimeout(10)
c, _ = s.accept()
c.recv(1000)
c.sendall(sys.argv[2].encode('latin1').decode('unicode_escape').encode('latin1'))
time.sleep(8)
PY
	pid=$!
	i=0
	while [ $i -lt 50 ] && [ ! -e ready ]; do sleep 0.1; i=$((i + 1)); done
	check "$1: frames keep flowing" timeout 6 alpr-capture -S "$S" -g"127.0.0.1:$port" a.jpg b.jpg
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

run "'{' and a control byte, no end of line" '{\x01'
is "  both frames, no position" "$(capture-get src lat <"$T/out" | tr '\n' ' ')" "a.jpg - b.jpg - "
run "'{' and a control byte, then a newline" '{\x01\n{"class":"TPV"\x02\n'
like "  one warning says what gpsd sent" "$(cat "$T/err")" \
	"^alpr-capture: warning: gpsd at 127.0.0.1:[0-9]+ sent a line that is not a JSON object with a \"class\": ignored"
is "  only one" "$(grep -c 'sent a line' "$T/err")" 1
run "a line that never ends" "{\"class\":\"TPV\",\"x\":\"$(head -c 100000 /dev/zero | tr '\0' x)"
like "  is named" "$(cat "$T/err")" "sent a line longer than 8192 bytes: ignored"
run "garbage, then a good fix" "{\\x01\\n$tpv"
is "  the fix after the garbage is used" "$(capture-get lat lon <"$T/out" | head -1)" "38.5816000 -121.4944000"
run "a fix, then a line without an end" "$tpv{\\x01"
is "  the fix is kept" "$(capture-get lat <"$T/out" | tr '\n' ' ')" "38.5816000 38.5816000 "
done_testing
