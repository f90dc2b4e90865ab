#!/usr/bin/env bash
# The source map of docs/internals.md against the tree, both ways: every
# source file is listed under its folder, and every file listed exists.
# Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
# The map's block: folder lines ("src/host/", "  commands/") set the
# directory, file lines ("    list-show.c") name a file in it.
awk '/^## Source layout/ { on = 1 } on && /^```$/ { n++; if (n == 2) exit; next } on && n == 1' \
	docs/internals.md | awk '
	{ match($0, /^ */); depth = RLENGTH / 2; word = $1 }
	word ~ /^src\/.*\/$/ { dir[0] = word; next }
	word ~ /\/$/ && depth > 0 { dir[depth] = word; next }
	word ~ /\.c$/ { path = ""; for (i = 0; i < depth; i++) path = path dir[i]; print path word }
' | sort >"$TAP_TMP/listed"
find src -name '*.c' | sort >"$TAP_TMP/tree"
check "the source map lists files that exist" \
	bash -c 'comm -23 "$0" "$1" | sed "s/^/listed, not in the tree: /"; [ -z "$(comm -23 "$0" "$1")" ]' \
	"$TAP_TMP/listed" "$TAP_TMP/tree"
check "every source file is in the source map" \
	bash -c 'comm -13 "$0" "$1" | sed "s/^/in the tree, not listed: /"; [ -z "$(comm -13 "$0" "$1")" ]' \
	"$TAP_TMP/listed" "$TAP_TMP/tree"
check "the map lists something" test -s "$TAP_TMP/listed"
tap_end
exit $((TAP_FAILED > 0))
