#!/bin/sh
# alpr-capture -m left running in a patrol car: an HTTP camera (a real
# local server, tests/tools/mjpeg-server) that drops the stream, answers
# 404, serves a web page, stalls, and comes back; a camera that cannot be
# reached, given up on when told; HTTPS; a camera faster than the
# pipeline, whose newest frames are kept and the others counted.
. "$(dirname "$0")/lib.sh"
plan 31

S=$T/spool
cd "$T" || exit 1
command -v python3 >/dev/null || skip_all "no python3 for the test camera"
capture-mkimage -x 1 64 48 a.jpg
capture-mkimage -x 2 64 48 b.jpg
capture-mkimage -x 3 64 48 c.jpg

# serve PLAN [OPTIONS]: start the camera; $srv its pid, $url its address
serve() {
	plan=$1; shift
	: >port
	mjpeg-server "$@" -l conn.log "$plan" a.jpg b.jpg c.jpg >port &
	srv=$!
	i=0
	while [ $i -lt 100 ] && [ ! -s port ]; do sleep 0.1; i=$((i + 1)); done
	url=http://127.0.0.1:$(cat port)/video
}
# wait_for FILE REGEX [SECONDS]: until FILE has a line that matches
wait_for() {
	i=0
	while [ $i -lt $((${3:-20} * 10)) ] && ! grep -Eq "$2" "$1" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
}
# wait_lines FILE N [SECONDS]: until FILE has N lines
wait_lines() {
	i=0
	while [ $i -lt $((${3:-20} * 10)) ] &&
	    [ "$(cat "$1" 2>/dev/null | grep -c .)" -lt "$2" ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# A day's troubles, one connection each: 3 frames and the stream drops;
# a 404; a web page; 2 frames and a stall; then frames without end.
: >conn.log
serve 3,404,html,2stall,0
alpr-capture -m -c car12 -S "$S" --stall 2 "$url" >out 2>err &
cap=$!
wait_lines err 6 40
n=$(cat out 2>/dev/null | grep -c .)
wait_lines out $((n + 10))
ok "$(kill -0 $cap; echo $?)" "still running after all of it"
kill $cap $srv
wait $cap $srv 2>/dev/null
u=$(echo "$url" | sed 's/[.]/[.]/g')
like "the drop is said, and the next attempt" "$(sed -n 1p err)" \
	"^alpr-capture: $u: the stream ended: trying again in 1 s$"
like "the 404" "$(sed -n 2p err)" "^alpr-capture: $u: HTTP 404: trying again in 2 s$"
like "the page that is no stream" "$(sed -n 3p err)" \
	"^alpr-capture: $u: HTTP 200 gave no frame \\(content type text/html\\): is it the camera's MJPEG stream\\?: trying again in 4 s$"
like "frames coming again" "$(sed -n 4p err)" "^alpr-capture: $u: frames again after [0-9]+ s$"
like "the stall" "$(sed -n 5p err)" "^alpr-capture: $u: no frame for 2 s: the camera has stalled$"
like "and frames again" "$(sed -n 6p err)" "^alpr-capture: $u: frames again after [0-9]+ s$"
is "each said once" "$(grep -c . err)" 6
is "five connections" "$(cut -d' ' -f2 conn.log | tr '\n' ' ')" "3 404 html 2stall 0 "
is "frames numbered on across connections" "$(capture-get seq <out | head -6 | tr '\n' ' ')" \
	"1 2 3 4 5 6 "
is "each frame as the camera sent it" "$(capture-get image <out | head -4 | tr '\n' ' ')" \
	"$(for f in a b c a; do sha256sum $f.jpg | cut -d' ' -f1; done | tr '\n' ' ')"
is "records valid" "$(rec-echo out 2>&1 >/dev/null)" ""
is "time of arrival, camera named" "$(capture-get tsrc camera <out | sort -u)" "now car12"

# A camera that cannot be reached: said once, given up on when told.
port=$(cat port)	# the server is gone: nothing listens there
check_status 3 "--give-up 2 on a camera that cannot be reached: exit 3" \
	alpr-capture -m -S "$S" --give-up 2 "http://127.0.0.1:$port/video"
like "the error said" "$(sed -n 1p err)" \
	"^alpr-capture: http://127.0.0.1:$port/video: .*(refused|connect).*: trying again in 1 s$"
like "and the giving up" "$(sed -n 2p err)" \
	"^alpr-capture: http://127.0.0.1:$port/video: no frame for [0-9]+ s: giving up$"
is "nothing else" "$(grep -c . err)" 2

# HTTPS, with the camera's own certificate
if openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    >/dev/null 2>&1; then
	cat cert.pem key.pem >both.pem
	serve 4,404 -s both.pem
	surl=$(echo "$url" | sed 's/^http:/https:/')
	check_status 3 "https with the camera's certificate" \
		alpr-capture -m -S "$S" --cacert cert.pem --give-up 1 "$surl"
	is "its frames" "$(capture-get seq <out | tr '\n' ' ')" "1 2 3 4 "
	check_status 3 "https without it" alpr-capture -m -S "$S" --give-up 1 "$surl"
	like "is refused, and said" "$(cat err)" "$surl: .*certificate.*: trying again"
	is "no frame" "$(cat out)" ""
	kill $srv
	wait $srv 2>/dev/null
else
	for i in 20 21 22 23 24; do skip "https $i" "openssl cannot make a certificate"; done
fi

# A camera faster than the pipeline: 100 frames at once through a FIFO
# into a pipeline that starts reading 1 s later. The queue keeps the
# newest frames; the others are counted, in the records and on stderr.
for i in $(seq 100); do cat a.jpg; done >burst.mjpeg
mkfifo fifo
alpr-capture -m -S "$S" fifo 2>derr | { sleep 1; cat; } >dout &
cat burst.mjpeg >fifo
wait
n=$(grep -c . dout)
ok "$(test "$n" -lt 50; echo $?)" "most frames dropped ($n of 100 kept)"
is "the last kept is the newest" "$(capture-get seq <dout | tail -1)" 100
is "every one counted: kept and dropped make 100" \
	"$(capture-get dropped <dout | sed 's/-/0/' | awk -v n="$n" '{ s += $1 } END { print s + n }')" 100
like "said at once" "$(sed -n 1p derr)" \
	"^alpr-capture: [0-9]+ frames dropped: the pipeline is slower than the camera, the newest frames are kept \\(-a keeps every one\\)$"
like "and counted at the end" "$(tail -1 derr)" \
	"^alpr-capture: $((100 - n)) of 100 frames dropped: the pipeline was slower than the camera$"
alpr-capture -a -m -S "$S" fifo 2>aerr | { sleep 1; cat; } >aout &
cat burst.mjpeg >fifo
wait
is "-a keeps every frame" "$(grep -c . aout) $(capture-get dropped <aout | sort -u)" "100 -"
is "and says nothing" "$(cat aerr)" ""
alpr-capture -m -S "$S" burst.mjpeg 2>ferr | { sleep 1; cat; } >fout
is "a file is read whole" "$(grep -c . fout) $(cat ferr)" "100 "

# A FIFO that stalls: said, and frames again
alpr-capture -m -S "$S" --stall 1 fifo >sout 2>serr &
cap=$!
exec 3<>fifo	# read-write: no wait for a reader that failed
cat a.jpg >&3
wait_for serr "stalled" 5
cat b.jpg >&3
exec 3>&-
wait $cap
like "a stalled FIFO is said" "$(cat serr)" "^alpr-capture: fifo: no frame for 1 s: the camera has stalled
alpr-capture: fifo: frames again after [0-9]+ s$"
done_testing
