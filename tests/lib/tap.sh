# Minimal TAP helpers for the shell tests.
# shellcheck shell=bash
TAP_N=0
TAP_FAILED=0
# check NAME COMMAND...: one test, ok when COMMAND succeeds.
check() {
	local name=$1; shift
	TAP_N=$((TAP_N + 1))
	if "$@" >"$TAP_TMP/out" 2>&1; then
		echo "ok $TAP_N - $name"
	else
		echo "not ok $TAP_N - $name"
		sed 's/^/#   /' "$TAP_TMP/out" | head -20
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}
# contains FILE TEXT: fixed-string search, shows the file when it fails.
contains() {
	grep -F -q -- "$2" "$1" && return 0
	echo "'$1' lacks: $2"; echo "--- it has:"; cat "$1"; return 1
}
lacks() {
	! grep -F -q -- "$2" "$1" && return 0
	echo "'$1' should not have: $2"; return 1
}
same() {
	[ "$1" = "$2" ] && return 0
	echo "got '$1', expected '$2'"; return 1
}
tap_end() { echo "1..$TAP_N"; }

# golden NAME COMMAND...: stdout, stderr and the exit status against
# $GOLDEN/NAME.out; UPDATE_GOLDEN=1 rewrites it. $GOLDEN_SED, when set,
# normalises what varies between runs (temporary paths, kernel release).
golden() {
	local name=$1; shift
	{ "$@" 2>&1; echo "[exit $?]"; } | sed "${GOLDEN_SED:-}" >"$TAP_TMP/$name.out"
	[ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$TAP_TMP/$name.out" "$GOLDEN/$name.out"
	check "golden: $name" diff -u "$GOLDEN/$name.out" "$TAP_TMP/$name.out"
}

# json NAME ASSERTION COMMAND...: the output parses as JSON (Python's
# parser) and ASSERTION, a Python expression over `d`, holds.
json() {
	local name=$1 expr=$2; shift 2
	"$@" >"$TAP_TMP/$name.json" 2>"$TAP_TMP/$name.err"
	check "json: $name" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert eval(sys.argv[2]), "assertion failed: " + sys.argv[2] + "\n" + json.dumps(d, indent=1)[:3000]
' "$TAP_TMP/$name.json" "$expr"
}
TAP_TMP=$(mktemp -d)
trap 'rm -rf "$TAP_TMP"' EXIT
