#!/bin/sh
# scripts/mutate on a toy tree of its own (a program, two tests, a list):
# what is caught and by which test, what survives, what is gone, ambiguous
# or does not build; the file restored after each mutant, after ^C, and
# after a run killed outright.
. "$(dirname "$0")/lib.sh"
command -v prove >/dev/null || skip_all "no prove"
plan 24

y=$T/toy
mkdir -p "$y/scripts" "$y/tests" && cp "$top/scripts/mutate" "$y/scripts/" || exit 1
cd "$y" || exit 1
cat >Makefile <<'M'
all: bin/add
bin/add: add.c
	if [ -f slowbuild ]; then sleep 30; fi
	mkdir -p bin && $(CC) -o bin/add add.c
M
cat >add.c <<'C'
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: add a b\n");
		return 2;
	}
	printf("%ld\n", atol(argv[1]) + atol(argv[2]));
	return 0;
}
C
cp add.c add.c.orig
cat >tests/01-add.t <<'T'
#!/bin/sh
echo 1..1
[ "$(bin/add 2 3)" = 5 ] && echo ok 1 - adds || echo not ok 1 - adds
T
cat >tests/02-usage.t <<'T'
#!/bin/sh
echo 1..1
if [ -f slowtest ]; then touch testing; sleep 30; fi
bin/add 2 >/dev/null 2>&1; [ $? = 2 ] && echo ok 1 - usage || echo not ok 1 - usage
T
cat >tests/mutants <<'L'
# the toy's mutants
order add.c 02

mutant minus add.c
	old atol(argv[1]) + atol(argv[2])
	new atol(argv[1]) - atol(argv[2])
	why subtracts

mutant message add.c
	old usage: add a b
	new usage: add
	why a shorter usage

mutant gone add.c
	old atol(argv[1]) * atol(argv[2])
	new 0
	why not there

mutant twice add.c
	old return
	new exit
	why on two lines

mutant twice-in add.c
	in fprintf(stderr
	old return
	new return 1 +
	why the first return after the usage

mutant broken add.c
	old printf("%ld\n",
	new printf("%ld\n"
	why does not compile
L
check_status 1 "a run with mutants not caught exits 1" scripts/mutate
cp "$T/out" "$T/table"
row() { awk -v m="$1" '$1 == m { print $3, $4, $5 }' "$T/table"; }
is "a mutant one test catches: caught, by it, after the one named first" "$(row minus)" "caught 01-add 2"
is "one no test catches: survived, after every test" "$(row message)" "SURVIVED - 2"
is "a text found nowhere: gone" "$(row gone)" "gone its text"
is "a text on two lines: ambiguous" "$(row twice)" "ambiguous 2 lines"
is "\"in\" picks the line (run after 01, which caught a mutant of the file)" "$(row twice-in)" "caught 02-usage 2"
is "a mutant that does not compile: no-build" "$(row broken)" "no-build $T/toy/tests/tmp/mutate/broken.build.log -"
like "the summary counts them" "$(tail -2 "$T/table" | head -1)" \
	"^6 mutants: 2 caught \\(66.7% of the 3 run\\), 1 survived; 1 gone, 1 ambiguous, 1 no-build$"
like "and says when and how it was made" "$(tail -1 "$T/table")" \
	"^made [0-9-]+T[0-9:]+Z in [0-9]+m[0-9]{2}s \\(make -j2; load [0-9.]+ at the start\\)$"
is "the table is kept" "$(cat tests/tmp/mutate/table)" "$(cat "$T/table")"
ok $(cmp -s add.c add.c.orig; echo $?) "the file is as it was"
is "and the program built from it" "$(bin/add 2 3)" 5

check "-n checks the texts only" scripts/mutate -n minus
like "naming the line of each" "$(cat "$T/out")" "^minus +add.c:11$"
check_status 1 "and exits 1 when one is gone" scripts/mutate -n gone
check "a run of the mutants named" scripts/mutate minus
is "runs those only" "$(grep -c '^minus ' "$T/out") $(wc -l <"$T/out")" "1 4"

# A run in a process group of its own, taking ^C as at a terminal (a
# command sh starts in the background ignores it); wait for FILE.
start() {
	rm -f testing
	setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
	    scripts/mutate minus >"$T/out" 2>"$T/err" &
	pid=$!
}
await() {
	i=0
	while [ ! -f "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

# ^C while a test runs: the test is stopped and the file put back.
touch slowtest
start
await testing
kill -INT -$pid
wait $pid
is "^C: the run ends with status 130" $? 130
ok $(cmp -s add.c add.c.orig; echo $?) "the file is as it was"
like "saying so" "$(cat "$T/err")" "interrupted: the tree is as it was; run make before using it"
rm -f slowtest

# A run killed outright while it builds leaves the file mutated, and the
# copy, which the next run puts back.
make -s >/dev/null 2>&1	# only the mutant's build is left, and slow
touch slowbuild
start
await tests/tmp/mutate/orig.path
sleep 1
kill -KILL -$pid
wait $pid 2>/dev/null
rm -f slowbuild
ok $(cmp -s add.c add.c.orig; echo $((! $?))) "killed outright: the file is left mutated"
check "the next run" scripts/mutate -n minus
like "restores it first, and says so" "$(cat "$T/err")" \
	"add.c was left mutated by a run that did not finish: restored"
ok $(cmp -s add.c add.c.orig; echo $?) "the file is as it was"
done_testing
