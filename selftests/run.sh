#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the netctx selftests inside the test VM (tools/vm/run): each test
# program prints KTAP; after each, the kernel log is checked for splats,
# which count as a failure of that program. Ends with "N passed, N failed".
#
# usage: selftests/run.sh [TEST...]     (default: every test in TEST_PROGS)
set -u
cd "$(dirname "$0")/.."
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	read -r -a tests <<<"$(make -s -C selftests print-tests)"
fi

# Autoload cannot reach modprobe from the VM's root: load what we need.
for m in veth nf_tables; do
	modprobe "$m" 2>/dev/null || true
done
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan=off > /sys/kernel/debug/kmemleak
fi

# Per test program; NETCTX_TIMEOUT_FACTOR scales it as every deadline.
limit=$(awk -v f="${NETCTX_TIMEOUT_FACTOR:-1}" 'BEGIN { printf "%d", 900 * f }')
splat='WARNING:|BUG:|Oops|general protection|refcount_t|use-after-free|scheduling while atomic|unreferenced object|unregister_netdevice: waiting|Call Trace'
passed=0
failed=0
skipped=0
for t in "${tests[@]}"; do
	echo "# ---- $t"
	dmesg -C
	log=$(mktemp)
	timeout "$limit" "selftests/$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	out=$(cat "$log")
	rm -f "$log"
	p=$(grep -cE '^ok [0-9]+ ' <<<"$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+ ' <<<"$out" | tr -d ' ')
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $t exited $rc without a failing case"
		failed=$((failed + 1))
	fi
	if dmesg | grep -E "$splat" >/dev/null; then
		echo "# $t: kernel log has splats:"
		dmesg | sed 's/^/# dmesg: /'
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
		echo "ok - $t kernel log clean"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
