#!/bin/sh
# alpr-ocr without its glyph model stops with status 3: it does not fall
# back to another engine that reads far fewer plates.
. "$(dirname "$0")/lib.sh"
plan 5
cd "$T" || exit 1
datadir=$(strings "$top/bin/alpr-ocr" | sed -n 's|^\(/.*/share/alpr\)$|\1|p' | head -1)
[ -n "$datadir" ] && [ -f "$datadir/glyphs.model" ] &&
	skip_all "a glyph model is installed in $datadir"

# a tree like an installed one, with the plate formats but no model
mkdir -p inst/bin inst/share/alpr
cp "$top/bin/alpr-ocr" inst/bin/
cp "$top/share/alpr/patterns" inst/share/alpr/
unset ALPR_DATADIR ALPR_OCR_MODEL
echo '{"type":"frame","v":1,"id":"f","src":"none.png","regions":[]}' >in
check_status 3 "no glyphs.model: exit 3" inst/bin/alpr-ocr in
like "saying what is missing" "$(cat err)" \
	"^alpr-ocr: fatal: no glyph model \\(share/alpr/glyphs.model\\)"
is "and nothing is read" "$(cat out)" ""
check "-m eng asks for Tesseract" inst/bin/alpr-ocr -m eng in
is "without a word on stderr" "$(cat err)" ""
done_testing
