#!/bin/sh
# Every program has a man page with an EXIT STATUS; every page is clean mdoc.
. "$(dirname "$0")/lib.sh"
command -v mandoc >/dev/null || skip_all "mandoc not installed (scripts/deps installs it)"
cd "$top" || exit 1
set -- man/*.[157]
bins=$(ls bin 2>/dev/null)
plan $(( $# + $(echo $bins | wc -w) * 2 ))
for page do
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	is "$page: mandoc -T lint clean at warning level" "$out" ""
done
for b in $bins; do
	ok $([ -f "man/$b.1" ]; echo $?) "$b has man/$b.1"
	ok $(grep -q '^\.Sh EXIT STATUS' "man/$b.1" 2>/dev/null; echo $?) \
		"man/$b.1 has EXIT STATUS"
done
done_testing
