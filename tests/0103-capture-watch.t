#!/bin/sh
# alpr-capture -w: a watched folder, as FTP-fed fixed cameras use.
. "$(dirname "$0")/lib.sh"
plan 9

S=$T/spool
export TZ=UTC
cd "$T" || exit 1
mkdir in stage
capture-mkimage -x 1 160 120 stage/a.jpg
capture-mkimage -x 2 -p 100 80 stage/b.png
capture-mkimage -x 3 -e "2024:05:06 07:08:09" 64 48 stage/c.jpg
echo junk >stage/bad.jpg
hash() { sha256sum "$1" | cut -d' ' -f1; }

# wait_lines N: until out has N lines, 10 seconds at most
wait_lines() {
	i=0
	while [ "$i" -lt 100 ] && [ "$(wc -l <out)" -lt "$1" ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# wait_watch PID: until PID has its inotify watch (fdinfo), 10 s at most
wait_watch() {
	i=0
	while [ "$i" -lt 100 ] &&
	    ! cat /proc/"$1"/fdinfo/* 2>/dev/null | grep -q '^inotify wd:'; do
		sleep 0.1; i=$((i + 1))
	done
}

alpr-capture -w in -c gate1 -S "$S" >out 2>err &
pid=$!
wait_watch "$pid"
cp stage/c.jpg c.tmp
mv c.tmp in/c.jpg
wait_lines 1
is "a file moved in is captured" "$(capture-get src tsrc camera <out)" \
	"in/c.jpg exif gate1"

cp stage/a.jpg in/.a.jpg		# dotfile: ignored
cp stage/a.jpg in/a.jpg.part		# partial upload: ignored
mv in/a.jpg.part in/a.jpg		# renamed when complete: captured
wait_lines 2
cp stage/b.png in/b.png			# written in place: IN_CLOSE_WRITE
wait_lines 3
cp stage/bad.jpg in/bad.jpg		# not an image: warning
cp stage/c.jpg in/last.jpg
wait_lines 4
kill "$pid"
wait "$pid" 2>/dev/null

is "dotfiles and partial names ignored, finished files captured" \
	"$(capture-get src <out)" "in/c.jpg
in/a.jpg
in/b.png
in/last.jpg"
is "hashes" "$(capture-get image <out | sed -n 2,3p)" "$(hash stage/a.jpg)
$(hash stage/b.png)"
like "bad file named" "$(cat err)" "^alpr-capture: in/bad.jpg: not a JPEG or PNG image$"
is "one warning only" "$(wc -l <err | tr -d ' ')" 1

check_status 3 "a missing folder is a system error" alpr-capture -w nope -S "$S"
like "named" "$(cat err)" "^alpr-capture: fatal: unable to watch nope: No such file"

# the folder going away ends the watch
mkdir gone
alpr-capture -w gone -S "$S" >out 2>err &
pid=$!
wait_watch "$pid"
rmdir gone
i=0
while [ "$i" -lt 100 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill "$pid" 2>/dev/null
wait "$pid"
is "exit 3 when the folder is removed" "$?" 3
like "said so" "$(cat err)" "watched folder gone was removed"
done_testing
