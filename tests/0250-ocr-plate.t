#!/bin/sh
# lib/plate.c: ranked candidates from per-position alternatives, repaired by
# plate formats (tests/tools/ocr-plate feeds it hand-made alternatives).
. "$(dirname "$0")/lib.sh"
plan 11

cat >"$T/pat" <<'EOF2'
# test formats
ca 9LLL999 17
id 9LLL999 2
ny LLL9999 15
pa LLL9999 10
EOF2

# A California plate 7ABC103 whose 0 was read as O (with D second).
check "decode" ocr-plate "$T/pat" 7=0.95 A=0.9 B=0.9 C=0.9 1=0.9 O=0.8,D=0.1 3=0.9
is "O in a digit position repaired to 0 by the format" \
	"$(head -1 "$T/out" | cut -d" " -f1,3)" "7ABC103 ca"
check "decode without formats" ocr-plate - 7=0.95 A=0.9 B=0.9 C=0.9 1=0.9 O=0.8,D=0.1 3=0.9
is "without formats the O stays (the repair comes from the format)" \
	"$(head -1 "$T/out" | cut -d' ' -f1)" "7ABC1O3"
like "the repair is still among the candidates" "$(cat "$T/out")" "^7ABC103 "

ocr-plate "$T/pat" 7=0.95 A=0.9 8=0.9 C=0.9 1=0.9 2=0.9 3=0.9 >"$T/out"
is "8 in a letter position repaired to B" "$(head -1 "$T/out" | cut -d" " -f1,3)" "7ABC123 ca"
is "candidates ordered by confidence" \
	"$(cut -d' ' -f2 "$T/out" | sort -rn | tr '\n' ' ')" \
	"$(cut -d' ' -f2 "$T/out" | tr '\n' ' ')"
is "candidates are distinct" "$(cut -d' ' -f1 "$T/out" | sort | uniq -d)" ""

ocr-plate "$T/pat" I=0.5 A=0.9 B=0.9 C=0.9 1=0.9 2=0.9 3=0.9 4=0.9 >"$T/out"
is "a spurious leading stroke dropped to fit a format shared by states" \
	"$(head -1 "$T/out" | cut -d" " -f1,3)" "ABC1234 LLL9999"

printf 'ca 9LLL999 17\nca 9LLL99X 2\n' >"$T/bad"
check_status 1 "bad patterns file fails" ocr-plate "$T/bad" A=1
like "bad patterns line named with file:line" "$(cat "$T/err")" "$T/bad:2: want STATE MASK COUNT"
done_testing
