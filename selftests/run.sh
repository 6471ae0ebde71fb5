#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the netctx selftests inside the test VM (tools/vm/run): each test
# program prints KTAP; after each, the kernel log is checked for splats,
# which count as a failure of that program. Ends with "N passed, N failed".
#
# On a kernel with kmemleak (make check-debug's debug kernel), the suspects
# left from boot are cleared first and, after the last test, two scans must
# find no new unreferenced object: a leak fails the run.
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
KMEMLEAK=/sys/kernel/debug/kmemleak
# kmemleak reports an object only once it is unreferenced at two scans
# and older than 5 s.
kmemleak_scan() {
	echo scan > "$KMEMLEAK"
	sleep 6
	echo scan > "$KMEMLEAK"
}
if [ -w "$KMEMLEAK" ]; then
	# No automatic scans in the middle of a test; what the kernel leaked
	# (or seemed to) while booting is not ours: forget it.
	echo scan=off > "$KMEMLEAK"
	kmemleak_scan
	echo clear > "$KMEMLEAK"
fi

# Per test program, from ./settings as in the kernel's selftests;
# NETCTX_TIMEOUT_FACTOR scales it as every deadline.
limit=$(sed -n 's/^timeout=//p' selftests/settings)
limit=$(awk -v t="${limit:-900}" -v f="${NETCTX_TIMEOUT_FACTOR:-1}" 'BEGIN { printf "%d", t * f }')
# The last line is what the debug kernel's checkers say (KASAN, lockdep,
# PROVE_RCU, debugobjects, ref trackers, hung task/lockup detectors), most
# of it also under a WARNING:/BUG: line, but not all.
splat='WARNING:|BUG:|Oops|general protection|refcount_t|use-after-free|scheduling while atomic|unreferenced object|unregister_netdevice: waiting|Call Trace'
splat+='|KASAN|ODEBUG|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|ref_tracker|blocked for more than|soft lockup|hung_task|rcu_.* self-detected stall|suspected memory leak'
passed=0
failed=0
skipped=0

# The kernel options the tests need (selftests/config), where the running
# kernel's config can be read.
kconfig=/boot/config-$(uname -r)
[ -r /proc/config.gz ] && kconfig=/proc/config.gz
if [ -r "$kconfig" ]; then
	missing=$(zcat -f "$kconfig" | grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' |
		cut -d= -f1 | sort -u | comm -13 - <(cut -d= -f1 selftests/config | sort -u))
	if [ -n "$missing" ]; then
		echo "# kernel lacks options of selftests/config:" $missing
		failed=$((failed + 1))
	fi
fi
for t in "${tests[@]}"; do
	echo "# ---- $t"
	start=$SECONDS
	dmesg -C
	log=$(mktemp)
	timeout "$limit" "selftests/$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	out=$(cat "$log")
	rm -f "$log"
	echo "# $t: $((SECONDS - start)) s"
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
if [ -w "$KMEMLEAK" ]; then
	echo "# ---- kmemleak"
	[ -e /sys/module/netctx ] && rmmod netctx
	kmemleak_scan
	leaks=$(cat "$KMEMLEAK")
	if [ -n "$leaks" ]; then
		echo "# kmemleak found unreferenced objects:"
		sed 's/^/# kmemleak: /' <<<"$leaks"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
		echo "ok - no kmemleak suspects after the tests"
	fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
