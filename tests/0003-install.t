#!/bin/sh
# make install honours DESTDIR and PREFIX, and the installed programs find
# their data files (models, plate formats) without any environment.
. "$(dirname "$0")/lib.sh"
plan 11
check "make install DESTDIR=... PREFIX=/opt/alpr" \
	make -s -C "$top" install DESTDIR="$T/root" PREFIX=/opt/alpr
p=$T/root/opt/alpr
is "every program installed" "$(ls "$p/bin")" "$(ls "$top/bin")"
is "every man page installed" "$(cd "$p/share/man" && ls man1 man5 man7 | grep -c '\.[157]$')" \
	"$(ls "$top"/man/*.[157] | wc -l)"
ok $(cmp -s "$p/share/alpr/glyphs.model" "$top/share/alpr/glyphs.model"; echo $?) \
	"the recognition model installed under share/alpr"
# modes: programs 755, pages and data 644, folders 755, whatever the umask
modes() { (cd "$p" && find . -type f -exec stat -c '%a %n' {} + | sed 's|/[^/]*$||' | sort -u); }
is "programs 755, man pages and data 644" "$(modes)" \
"644 ./share/alpr
644 ./share/man/man1
644 ./share/man/man5
644 ./share/man/man7
755 ./bin"
is "folders 755" "$(cd "$p" && find . -type d -exec stat -c %a {} + | sort -u)" 755
unset ALPR_DATADIR
cd "$T" || exit 1
# each stage alone, so that each one's status counts
"$p/bin/alpr-capture" -S "$T/spool" "$top/samples/frame1.jpg" >"$T/frames" 2>"$T/err" &&
	"$p/bin/alpr-detect" -S "$T/spool" "$T/frames" >"$T/regions" 2>>"$T/err" &&
	"$p/bin/alpr-ocr" -S "$T/spool" "$T/regions" >"$T/reads" 2>>"$T/err"
ok $? "the installed pipeline runs from another directory"
like "and reads a plate with the installed model and formats" "$(cat "$T/reads")" '"plate":"[0-9A-Z]{4,8}"'

touch "$p/share/man/man1/other.1"
check "make uninstall" make -s -C "$top" uninstall DESTDIR="$T/root" PREFIX=/opt/alpr
is "it removes the programs, the man pages and the data, nothing else" \
	"$(cd "$p" && find . -type f)" "./share/man/man1/other.1"
ok $(test ! -e "$p/share/alpr"; echo $?) "and the data folder"
done_testing
