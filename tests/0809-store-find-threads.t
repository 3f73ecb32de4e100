#!/bin/sh
# A search shares its days among threads (alpr.conf search_threads: set,
# from its start; 0, once it has taken 2 ms); it must find the same
# reads, in the same order, with the same word on what a limit cut off,
# as on one thread.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store.sh"
plan 18

mkstore || { echo "Bail out! no store"; exit 1; }
# 30,000 reads over a year, regular cars among them, some with hits
retention 400
store-gen -n 30000 -d 365 -v 3000 -s 31 >"$T/reads.ndjson"
alpr-store add -D car1 "$T/reads.ndjson" >/dev/null 2>&1
store-gen -q 4 -v 3000 >"$T/plates"
p=$(sed -n 2p "$T/plates")
{
	echo "PLATE,STATE,CATEGORY"
	store-gen -q 200 -v 3000 | sed 's/$/,CA,stolen-vehicle/'
} >"$T/hot.csv"

threads() {
	sed -i "s/^#* *search_threads = .*/search_threads = $1/" "$H/alpr.conf"
}
# the output, the status and the word on the limit of a search
run() {
	sfind jdoe "$@" >"$T/run.out" 2>"$T/run.err"
	echo "status $? reads $(grep -c . "$T/run.out") $(grep -o 'more than [0-9]* reads match' "$T/run.err")"
	cat "$T/run.out"
}
for q in "$p" "$(echo "$p" | cut -c1-3)*" "*$(echo "$p" | cut -c4-6)?" \
    "-f $(echo "$p" | cut -c1-6)Z" "--hotlist $T/hot.csv" \
    "--near 38.58,-121.49 --radius 3000"; do
	r=0
	for lim in 10000 7 1; do
		threads 1
		# shellcheck disable=SC2086
		run --limit $lim $q >"$T/one"
		threads 4
		# shellcheck disable=SC2086
		run --limit $lim $q >"$T/four"
		if ! cmp -s "$T/one" "$T/four"; then
			r=1
			diff "$T/one" "$T/four" | head -5 | sed 's/^/# /'
		fi
		if [ $lim = 10000 ]; then
			ok $r "$q: the same reads on four threads as on one ($(head -1 "$T/one"))"
			r=0
		fi
	done
	ok $r "... and with a limit of 7 and of 1"
done

# the limit: reads past it are said, not shown; exactly as many are not
# "more" (the plate above has 6 reads)
for t in 1 4; do
	threads $t
	is "$t thread(s): a limit one under the reads found says there are more" \
		"$(run --limit 5 "$p" | head -1)" "status 0 reads 5 more than 5 reads match"
	is "$t thread(s): a limit of exactly the reads found does not" \
		"$(run --limit 6 "$p" | head -1)" "status 0 reads 6 "
	is "$t thread(s): a limit of 1 over a year of reads near a place" \
		"$(run --limit 1 --near 38.58,-121.49 --radius 3000 | head -1)" "status 0 reads 1 more than 1 reads match"
done
