# tests/lib.sh: a tiny TAP library shared by the tests (sourced).
#
#	. "$(dirname "$0")/lib.sh"
#	plan 3
#	check "capture reads a PNG" alpr-capture x.png
#	check_status 1 "bad file fails" alpr-capture nope.jpg
#	is "plate" "$(jq ...)" "ABC123"
#	setup glyph-synth 'AB1234' plate.png	# not a test: bails out
#
# Each test runs in its own scratch directory $T, emptied at start.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$top/tests/tools:$top/scripts:$PATH
export PATH
T=$top/tests/tmp/$(basename "$0" .t)
rm -rf "$T" && mkdir -p "$T" || exit 1
BENCH=${ALPR_BENCH:-$top/../shared/bench/us}
TRAIN=${ALPR_TRAIN:-$top/../shared/train/us-plates}
VECTORS=${ALPR_VECTORS:-$top/../shared/testvectors}
export ALPR_DATADIR=$top/share/alpr
unset ALPR_SPOOL ALPR_LOG ALPR_STORE ALPR_USER 2>/dev/null
_n=0
_failed=0

plan() { echo "1..$1"; }
# Bound the memory of what runs next (KB of address space), so that a
# runaway read or decode fails instead of the machine; not under
# AddressSanitizer (scripts/check-sanitize), which maps terabytes of shadow.
limit_memory() { [ -n "${ASAN_OPTIONS:-}" ] || ulimit -v "$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

_result() {	# status description
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

ok() {		# condition-status description
	_result "$1" "$2"
}

# check DESC CMD...: CMD exits 0; its output goes to $T/out and $T/err.
check() {
	_d=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	_s=$?
	[ $_s = 0 ] || { echo "# exit $_s: $*"; sed 's/^/# /' "$T/err" | head -20; }
	_result $_s "$_d"
}

# check_status N DESC CMD...: CMD exits with status N.
check_status() {
	_want=$1 _d=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	_s=$?
	[ $_s = "$_want" ] || { echo "# exit $_s, want $_want: $*"; sed 's/^/# /' "$T/err" | head -20; }
	[ $_s = "$_want" ]
	_result $? "$_d"
}

# is DESC GOT WANT
is() {
	[ "$2" = "$3" ]
	_s=$?
	[ $_s = 0 ] || { echo "#   got: '$2'"; echo "#  want: '$3'"; }
	_result $_s "$1"
}

# like DESC TEXT REGEX (grep -E)
like() {
	printf '%s\n' "$2" | grep -Eq -- "$3"
	_s=$?
	[ $_s = 0 ] || { echo "#   got: '$2'"; echo "#  want match: '$3'"; }
	_result $_s "$1"
}

# same DESC WANTFILE GOTFILE: golden output, shown with diff -u on failure.
same() {
	diff -u "$2" "$3" >"$T/diff"
	_s=$?
	[ $_s = 0 ] || sed 's/^/# /' "$T/diff"
	_result $_s "$1"
}

# skip DESC REASON: a check not made here, counted as passed; the reason
# goes to standard error too, which prove shows (make check, CI).
skip() {
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
	echo "# $(basename "$0"): skipped: $1: $2" >&2
}

# setup CMD...: a step the tests need that is not itself under test (the
# test's own image generator, say); if it fails, the test bails out.
setup() {
	"$@" >"$T/setup.out" 2>"$T/setup.err" && return 0
	echo "Bail out! setup failed (exit $?): $*: $(head -1 "$T/setup.err")"
	exit 1
}

done_testing() {
	[ $_failed = 0 ]
	exit $?
}
