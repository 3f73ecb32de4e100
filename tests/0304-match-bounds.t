#!/bin/sh
# alpr-match: a hotlist that is a FIFO or a device is refused at once, a
# record line too long is skipped; matching goes on.
. "$(dirname "$0")/lib.sh"
plan 7
cd "$T" || exit 1
limit_memory 4000000	# 4 GB: a runaway read fails, not the machine
printf '%s\n' plate,category 7ABC123,stolen-vehicle >list.csv
mkfifo fifo.csv
echo '{"type":"read","v":1,"plate":"7ABC123"}' >reads

check_status 1 "a FIFO given as a hotlist is refused at once" \
	timeout 20 alpr-match -l fifo.csv -l list.csv reads
like "saying what it is" "$(cat "$T/err")" "unable to read hotlist fifo.csv: Not a regular file"
like "and the other list still matches" "$(cat "$T/out")" '"hits":\[\{"list":"list"'
check_status 1 "/dev/zero as a hotlist is refused" \
	timeout 20 alpr-match -l /dev/zero -l list.csv reads
like "not read without end" "$(cat "$T/err")" "unable to read hotlist /dev/zero: Not a regular file"

{ printf '{"type":"read","v":1,"plate":"'; head -c 3000000 /dev/zero | tr '\0' A; echo '"}'; cat reads; } >long
check_status 1 "a record line over 1 MiB is skipped" alpr-match -l list.csv long
like "named, and the next record matched" "$(cat "$T/err")|$(cat "$T/out")" \
	'^alpr-match: long:1: line longer than 1048576 bytes: skipped\|.*"hits":\[\{"list":"list"'
done_testing
