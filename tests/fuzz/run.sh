#!/usr/bin/env bash
# make fuzz: runs each libFuzzer target for FUZZ_SECONDS (default 60) from
# its seed corpus (tests/fuzz/corpus/TARGET; config_inih and config_render
# share config's) plus what earlier runs found
# (build/fuzz/corpus-TARGET). Any crash, leak or sanitizer report fails.
set -uo pipefail
BUILD=${1:-build}
SECONDS_EACH=${2:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
failed=0
for bin in "$BUILD"/fuzz/fuzz_*; do
	t=${bin##*/fuzz_}
	work="$BUILD/fuzz/corpus-$t"
	mkdir -p "$work" "$BUILD/fuzz/crashes-$t"
	# The config targets get the format's tokens, and inputs long enough
	# for a line past inih's 200-byte buffer with a long line ending:
	# libFuzzer's default length follows the seed corpus, and runs of '\r'
	# are not what mutations reach by chance.
	# The config targets share one seed corpus (config_inih is the
	# differential check against inih, config_render the round trip).
	corpus=$t
	case $t in config_*) corpus=config ;; esac
	extra=()
	case $t in config*) extra=(-dict="$HERE/config.dict" -max_len=4096) ;; esac
	if "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
		-artifact_prefix="$BUILD/fuzz/crashes-$t/" "$work" "$HERE/corpus/$corpus" \
		>"$BUILD/fuzz/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/fuzz/$t.log")
		echo "fuzz $t: clean, $runs runs in ${SECONDS_EACH}s, corpus $(find "$work" -type f | wc -l) inputs"
	else
		echo "fuzz $t: FAILED (see $BUILD/fuzz/$t.log and $BUILD/fuzz/crashes-$t/)"
		grep -E 'ERROR|SUMMARY|runtime error' "$BUILD/fuzz/$t.log" | head -5
		failed=1
	fi
done
exit $failed
