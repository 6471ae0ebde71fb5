# SPDX-License-Identifier: GPL-2.0
#
# Shared by the benchmark scripts (sourced, after NCCTL is set).

cli() { ip netns exec nb-cli "$@"; }
srv() { ip netns exec nb-srv "$@"; }

# The contexts' counters as JSON, or null without the module.
ctxjson() {
	if [[ -d /sys/module/netctx ]]; then "$NCCTL" -j ctx show; else echo null; fi
}

# nb-cli veth0 10.88.0.1/24 <----> veth1 10.88.0.2/24 nb-srv, both up.
nb_topo() {
	modprobe veth
	ip netns add nb-cli
	ip netns add nb-srv
	ip link add veth0 netns nb-cli type veth peer name veth1 netns nb-srv
	cli ip addr add 10.88.0.1/24 dev veth0
	srv ip addr add 10.88.0.2/24 dev veth1
	cli ip link set veth0 up
	srv ip link set veth1 up
	cli ip link set lo up
	srv ip link set lo up
}

# Waits up to 30 s for a command to succeed; says which one it gave up on.
waitfor() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "bench: gave up waiting for: $*" >&2
	return 1
}
