#!/usr/bin/env bash
# make install: DESTDIR, PREFIX, SBINDIR and SYSCONFDIR, and an admin's
# config is never overwritten.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/tap.sh"
cd "$(dirname "$0")/../.."
D=$TAP_TMP/dest
inst() { make --no-print-directory -s BUILD="$BUILD" DESTDIR="$D" "$@" install; }

check "make install into DESTDIR" inst
check "the binder lands in PREFIX/sbin" test -x "$D/usr/sbin/passthrough-early"
check "the config lands in /etc, mode 0644" same "$(stat -c %a "$D/etc/passthrough.conf")" 644
echo "; mine" >>"$D/etc/passthrough.conf"
check "a second install keeps the admin's config" bash -c 'inst() { make --no-print-directory -s BUILD="$0" DESTDIR="$1" install; }; inst "$0" "$1" && tail -n 1 "$1/etc/passthrough.conf" | grep -q "; mine"' "$BUILD" "$D"
check "SBINDIR and SYSCONFDIR are honoured" \
	bash -c 'make --no-print-directory -s BUILD="$0" DESTDIR="$1/x" SBINDIR=/sbin SYSCONFDIR=/opt/etc install &&
		test -x "$1/x/sbin/passthrough-early" && test -f "$1/x/opt/etc/passthrough.conf"' "$BUILD" "$TAP_TMP"
check "PREFIX is honoured" \
	bash -c 'make --no-print-directory -s BUILD="$0" DESTDIR="$1/y" PREFIX=/usr/local install &&
		test -x "$1/y/usr/local/sbin/passthrough-early"' "$BUILD" "$TAP_TMP"
tap_end
exit $((TAP_FAILED > 0))
