#!/bin/sh
# Every program alike: -h and --help print the usage on stdout and exit 0,
# --version prints the one version of the project, an unknown option exits
# 2, and a missing input file exits 3 (alpr(7) EXIT STATUS), naming it.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
bins=$(ls "$top/bin")
plan $(( $(echo $bins | wc -w) * 10 ))
version=$(sed -n 's/^#define ALPR_VERSION "\(.*\)"$/\1/p' "$top/lib/alpr.h")

printf 'plate,category\n7ABC123,stolen-vehicle\n' >ok.csv
alpr-audit -d log init >/dev/null 2>&1

# missing PROG: run PROG on an input file that does not exist
missing() {
	case $1 in
	alpr-audit) alpr-audit -d log append "$T/nope" ;;
	alpr-capture) alpr-capture -S spool "$T/nope" ;;
	alpr-detect|alpr-ocr|alpr-group) "$1" "$T/nope" ;;
	alpr-match) alpr-match -l ok.csv "$T/nope" ;;
	alpr-export) alpr-export verify -k "$T/nope" . ;;	# a key
	alpr-purge) alpr-purge -H "$T/nope" ;;	# a store home
	alpr-store) alpr-store -H "$T/nope" whoami ;;
	*) echo "no missing-input case for $1 in $0" >&2; return 99 ;;
	esac
}

for b in $bins; do
	check "$b -h exits 0" "$b" -h
	like "$b -h prints the usage on stdout" "$(cat out)" "^usage: $b "
	is "$b -h prints nothing on stderr" "$(cat err)" ""
	check "$b --help exits 0" "$b" --help
	like "$b --help prints the usage" "$(cat out)" "^usage: $b "
	check "$b --version exits 0" "$b" --version
	is "$b --version prints the version" "$(cat out)" "$b $version"
	check_status 2 "$b: an unknown option exits 2" "$b" --no-such-option
	check_status 3 "$b: a missing input file exits 3" missing "$b"
	like "$b names the missing file" "$(cat err)" "$T/nope: No such file"
done
done_testing
