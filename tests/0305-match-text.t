#!/bin/sh
# alpr-match: whatever text a hotlist holds, every hit record is valid
# JSON that the next stage takes; text that is not UTF-8 is converted
# (a list in Windows-1252) or refused with its file and line.
. "$(dirname "$0")/lib.sh"
plan 27
cd "$T" || exit 1
printf '%s\n' '{"type":"read","v":1,"plate":"7ABC123"}' >read

# valid: every line of out is a record rec-echo (jansson, duplicate keys
# refused) takes, and it has hits
valid() {
	rec-echo out >echo.out 2>echo.err && [ ! -s echo.err ] &&
	    [ "$(wc -l <echo.out)" = "$(wc -l <out)" ] && grep -q '"hits"' out
}

printf 'PLATE,STATE,VIN,VIN\n7ABC123,CA,1HGCM82633A004352,JH4KA7561PC008269\n' >vin.csv
check "two columns of one name" alpr-match -l vin.csv read
ok "$(valid; echo $?)" "the hit is valid JSON"
like "both values kept, the second by its column" "$(cat out)" \
	'"annotations":\{"VIN":"1HGCM82633A004352","VIN \(column 4\)":"JH4KA7561PC008269"\}'
like "said at load" "$(cat err)" \
	"vin.csv:1: columns 3 and 4 are both named 'VIN': the hits call column 4 'VIN \\(column 4\\)'"

printf 'plate,,case\n7ABC123,grey van,26-1\n' >noname.csv
check "a column without a name" alpr-match -l noname.csv read
like "is kept by its number" "$(cat out)" '"annotations":\{"column 2":"grey van","case":"26-1"\}'

# Windows-1252: a whole list in it is converted, and said so
printf 'plate,category,reason\n5XYZ999,wanted,caf\351\n7ABC123,wanted,\223vol\224 \340 Paris\n' >latin.csv
check "a list in Windows-1252" alpr-match -l latin.csv read
ok "$(valid; echo $?)" "the hit is valid JSON"
like "its text converted" "$(cat out)" '"reason":"“vol” à Paris"'
like "said with the first line that is not UTF-8" "$(cat err)" \
	"latin.csv:2: not UTF-8: the list is read as Windows-1252"
printf 'plate,category,n\351\n7ABC123,wanted,1\n' >lhdr.csv
check "a Windows-1252 header" alpr-match -l lhdr.csv read
like "is converted too" "$(cat out)" '"annotations":\{"né":"1"\}'
printf 'plate,category,reason\n7ABC123,wanted,\201\n' >undef.csv
check_status 1 "a byte that is no Windows-1252 character" alpr-match -l undef.csv -l vin.csv read
like "refuses the list, naming the line" "$(cat err)" \
	"undef.csv:2: byte 0x81 is neither UTF-8 nor Windows-1252: the list is refused"

# UTF-8 with bytes that are not: those lines are refused
printf 'plate,category,reason\n7ABC123,wanted,caf\303\251\n5XYZ999,wanted,\355\240\200\n6AAA111,wanted,\300\257\n' >broken.csv
check_status 1 "surrogate and overlong bytes in a UTF-8 list" alpr-match -l broken.csv read
ok "$(valid; echo $?)" "the hit is valid JSON"
like "the good line hits" "$(cat out)" '"reason":"café"'
like "the surrogate's line refused, by file and line" "$(cat err)" \
	"broken.csv:3: text is not UTF-8 \\(byte 0xed in column 3\\)"
like "the overlong form's too" "$(cat err)" "broken.csv:4: text is not UTF-8 \\(byte 0xc0 in column 3\\)"
printf 'plate,category,n\351\n7ABC123,wanted,caf\303\251\n' >mixed.csv
check_status 1 "a header that is not UTF-8 in a UTF-8 list" alpr-match -l mixed.csv -l vin.csv read
like "refuses the list" "$(cat err)" "mixed.csv:1: header: text is not UTF-8 \\(byte 0xe9 in column 3\\)"

# control characters, quotes and backslashes are escaped
printf 'plate,category,reason\n7ABC123,wanted,"a\001b\tc ""d"" \\e"\n' >ctl.csv
check "control characters in a field" alpr-match -l ctl.csv read
ok "$(valid; echo $?)" "the hit is valid JSON"

# a file name that is not UTF-8 would be in every hit and log entry
cp vin.csv "$(printf 'l\351.csv')"
check_status 1 "a list whose file name is not UTF-8" alpr-match -l "$(printf 'l\351.csv')" -l vin.csv read
like "is refused" "$(cat err)" "the file name is not UTF-8: the list is refused"

# the writer checks what it writes: a reminder that is not UTF-8
printf 'confirm_text = confirm \377 first\n' >conf
check "a confirm_text that is not UTF-8" alpr-match -C conf -l vin.csv read
ok "$(valid; echo $?)" "the hit is valid JSON"
done_testing
