#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line tests of ncctl that need no kernel module.
#
#   test_cli.sh [NCCTL [NCCTL_FAKE]]
#
# NCCTL (default ./ncctl) is checked for parsing, help and error paths, and
# for the "module not loaded" error when the netctx family is absent.
# NCCTL_FAKE (default ./ncctl-fake, skipped if missing) is ncctl linked with
# test_fake_kernel.c: it checks the requests ncctl sends (logged by the fake
# kernel), the plain and JSON output of its replies, extack error messages
# and the monitor.
#
# Prints "ok N - what" / "not ok N - what", then "N passed, N failed";
# exits 1 if anything failed.

set -u

NCCTL=${1:-./ncctl}
FAKE=${2:-./ncctl-fake}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
n=0

ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		echo "#   $line"
	done
}

# run CMD...: sets rc, out, err
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_err "MESSAGE" CMD...: exit 1, stdout empty, stderr is MESSAGE.
expect_err() {
	local msg=$1
	shift
	run "$@"
	if [ "$rc" = 1 ] && [ -z "$out" ] && [ "$err" = "$msg" ]; then
		ok "$(basename "$1") ${*:2} -> ${msg%%$'\n'*}"
	else
		not_ok "$(basename "$1") ${*:2} -> ${msg%%$'\n'*}" "rc=$rc" "stdout: $out" \
			"stderr: $err"
	fi
}

# expect_out "OUTPUT" CMD...: exit 0, stdout is OUTPUT, stderr empty.
expect_out() {
	local want=$1
	shift
	run "$@"
	if [ "$rc" = 0 ] && [ "$out" = "$want" ] && [ -z "$err" ]; then
		ok "$(basename "$1") ${*:2}"
	else
		not_ok "$(basename "$1") ${*:2}" "rc=$rc" "stderr: $err" "got:" "$out" "want:" "$want"
	fi
}

# expect_help CMD...: exit 0, usage on stdout, nothing on stderr.
expect_help() {
	local want=$1
	shift
	run "$@"
	if [ "$rc" = 0 ] && [[ "$out" == *"$want"* ]] && [ -z "$err" ]; then
		ok "${*:2} prints help"
	else
		not_ok "${*:2} prints help" "rc=$rc" "stderr: $err"
	fi
}

check() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
	fi
}

have_python=false
command -v python3 >/dev/null 2>&1 && have_python=true

# json_check FILE PYTHON-EXPR: the expression over j (parsed JSON) holds.
json_check() {
	$have_python || return 0
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

### help and version

expect_help "Usage: ncctl [OPTIONS] OBJECT" "$NCCTL" help
run "$NCCTL" help
for o in ctx port conn monitor; do
	check "ncctl help lists \"ncctl $o\"" grep -q "ncctl $o" "$TMP/out"
done
expect_help "ncctl port add {tcp|udp} PORT" "$NCCTL" port help
expect_help "ncctl port del {tcp|udp} PORT" "$NCCTL" port help
expect_help "ncctl ctx show" "$NCCTL" ctx help
expect_help "ncctl conn assign {tcp|udp} LOCAL REMOTE ctx N" "$NCCTL" conn help
expect_help "[timeout MS] [group ID]" "$NCCTL" conn help
expect_help "ncctl conn set {tcp|udp} LOCAL REMOTE group ID" "$NCCTL" conn help
expect_help "ncctl conn set" "$NCCTL" conn set help
expect_help "ncctl conn set" "$NCCTL" conn set tcp 10.0.0.1:1 10.0.0.2:2 help
expect_help "ncctl conn migrate {tcp|udp} LOCAL REMOTE ctx N" "$NCCTL" conn help
expect_help "ncctl conn migrate {tcp|udp} LOCAL REMOTE ctx N [nowait]" \
	"$NCCTL" conn help
expect_help "ncctl conn migrate remote ADDR [proto {tcp|udp}] ctx N [nowait]" \
	"$NCCTL" conn help
expect_help "ncctl conn migrate group ID ctx N [nowait]" "$NCCTL" conn help
expect_help "ncctl conn migrate group" "$NCCTL" conn migrate group 1 help
expect_help "ncctl conn migrate group" "$NCCTL" conn migrate remote ::1 help
expect_help "ncctl monitor" "$NCCTL" monitor help
expect_help "conn-migrate-fail" "$NCCTL" monitor help
expect_help "ncctl port add" "$NCCTL" help port
expect_help "ncctl port add" "$NCCTL" port h
expect_help "ncctl port add" "$NCCTL" port add help
expect_help "ncctl port add" "$NCCTL" port add tcp 80 hash default help
expect_help "[balance {on|off}]" "$NCCTL" port help
expect_help "ncctl port add" "$NCCTL" port add tcp 80 balance on help
expect_help "ncctl conn show" "$NCCTL" conn assign help
expect_help "Usage: ncctl" "$NCCTL" -h
expect_help "Usage: ncctl" "$NCCTL" --help
run "$NCCTL" -V
check "-V prints the version" test "$rc" = 0 -a -n "$out" -a -z "$err"
run "$NCCTL" --version
check "--version prints the version" test "$rc" = 0 -a -n "$out"
for o in -Version -Vers -ver -version; do
	run "$NCCTL" $o
	check "$o prints the version" test "$rc" = 0 -a -n "$out" -a -z "$err"
done
for o in -help -he -hel; do
	expect_help "Usage: ncctl" "$NCCTL" $o
done
expect_help "-n[etns] NETNS" "$NCCTL" -h
expect_help "-s[tatistics]" "$NCCTL" -h

### command line errors (no kernel involved)

expect_err 'ncctl: unknown object "bogus"' "$NCCTL" bogus
expect_err 'ncctl: missing OBJECT (try "ncctl help")' "$NCCTL"
expect_err 'ncctl: option "-x" is unknown, try "ncctl -help"' \
	"$NCCTL" -x ctx show
expect_err 'ncctl: option "--bogus" is unknown, try "ncctl -help"' \
	"$NCCTL" --bogus
# Not a bundle of letters either: -j is one, x is not.
expect_err 'ncctl: option "-jx" is unknown, try "ncctl -help"' \
	"$NCCTL" -jx ctx show
# "-batchfile" is no prefix of -batch, nor "-b" with "atchfile" glued.
expect_err 'ncctl: option "-batchfile" is unknown, try "ncctl -help"' \
	"$NCCTL" -batchfile
expect_err 'ncctl: option "-b" needs a FILE' "$NCCTL" -b
expect_err 'ncctl: option "-batch" needs a FILE' "$NCCTL" -batch
expect_err 'ncctl: option "-n" needs a NETNS' "$NCCTL" -n
expect_err 'ncctl: option "-netns" needs a NETNS' "$NCCTL" -j -netns
expect_err 'ncctl: option "--json=1" takes no value' "$NCCTL" --json=1 ctx
expect_err 'ncctl: unknown object "-"' "$NCCTL" - ctx
# -n switches before talking to the kernel: a missing netns is the error.
expect_err 'ncctl: cannot open network namespace "ncctl-test-none": No such file or directory' \
	"$NCCTL" -n ncctl-test-none ctx show
expect_err 'ncctl: cannot open network namespace "ncctl-test-none": No such file or directory' \
	"$NCCTL" -j -netns ncctl-test-none -s ctx show
expect_err 'ncctl: invalid network namespace name "a/b"' "$NCCTL" -n a/b ctx
expect_err 'ncctl: invalid network namespace name ".."' "$NCCTL" -n .. ctx
expect_err "ncctl: setting the network namespace \"/proc/self/ns/mnt\" failed: Invalid argument" \
	"$NCCTL" -n /proc/self/ns/mnt ctx
expect_err 'ncctl: ambiguous object "c": ctx, conn' "$NCCTL" c show
expect_err 'ncctl: unknown command "frob"' "$NCCTL" port frob
expect_err 'ncctl: unknown command "frob"' "$NCCTL" ctx frob
expect_err 'ncctl: unknown keyword "extra"' "$NCCTL" ctx show extra
expect_err 'ncctl: unknown keyword "extra"' "$NCCTL" port show extra
expect_err 'ncctl: unknown object "bogus"' "$NCCTL" help bogus

expect_err 'ncctl: invalid port "99999"' "$NCCTL" port add tcp 99999
expect_err 'ncctl: invalid port "70000"' "$NCCTL" port add tcp 70000
expect_err 'ncctl: invalid port "0"' "$NCCTL" port add udp 0
expect_err 'ncctl: invalid port "-1"' "$NCCTL" port add udp -1
expect_err 'ncctl: invalid port "http"' "$NCCTL" port del tcp http
expect_err 'ncctl: missing protocol (tcp or udp)' "$NCCTL" port add
expect_err 'ncctl: missing PORT' "$NCCTL" port add tcp
expect_err 'ncctl: unknown protocol "sctp"' "$NCCTL" port add sctp 80
expect_err 'ncctl: unknown hash "foo"' "$NCCTL" port add tcp 80 hash foo
expect_err 'ncctl: ambiguous hash "r": remote-addr, round-robin' \
	"$NCCTL" port add tcp 80 hash r
expect_err 'ncctl: missing argument after "hash"' "$NCCTL" port add tcp 80 hash
expect_err 'ncctl: unknown keyword "frob"' "$NCCTL" port add tcp 80 frob
expect_err 'ncctl: duplicate keyword "hash"' \
	"$NCCTL" port add tcp 80 hash default hash bpf
expect_err 'ncctl: unknown match "both"' "$NCCTL" port add tcp 80 match both
expect_err 'ncctl: unknown match "both"' "$NCCTL" port del tcp 80 match both
expect_err 'ncctl: duplicate keyword "match"' \
	"$NCCTL" port del tcp 80 match local match remote
expect_err 'ncctl: duplicate keyword "port"' \
	"$NCCTL" conn show port 80 proto tcp port 81
expect_err 'ncctl: invalid key "6d:5a": expected 40 hex bytes' \
	"$NCCTL" port add tcp 80 hash toeplitz key 6d:5a
expect_err 'ncctl: key requires hash toeplitz' \
	"$NCCTL" port add tcp 80 key "$(printf '%080d' 0)"
expect_err 'ncctl: hash bpf requires bpf FILE' "$NCCTL" port add tcp 80 hash bpf
printf '1\n6 0 0 0\n' >"$TMP/ret0.bpf"
expect_err 'ncctl: bpf FILE requires hash bpf' \
	"$NCCTL" port add tcp 80 bpf "$TMP/ret0.bpf"
expect_err 'ncctl: bpf FILE requires hash bpf' \
	"$NCCTL" port add tcp 80 hash toeplitz bpf "$TMP/none"
expect_err "ncctl: invalid bpf program \"$TMP/none\": No such file or directory" \
	"$NCCTL" port add tcp 80 hash bpf bpf "$TMP/none"
printf '2\n6 0 0 0\n' >"$TMP/short.bpf"
expect_err "ncctl: invalid bpf program \"$TMP/short.bpf\": 2 instructions announced, 1 found" \
	"$NCCTL" port add tcp 80 hash bpf bpf "$TMP/short.bpf"
expect_err 'ncctl: invalid context list "3-1"' \
	"$NCCTL" port add tcp 80 contexts 3-1
expect_err 'ncctl: invalid context list "1024"' \
	"$NCCTL" port add tcp 80 contexts 1024
expect_err 'ncctl: invalid balance "yes": expected on or off' \
	"$NCCTL" port add tcp 80 balance yes
expect_err 'ncctl: invalid balance "o": expected on or off' \
	"$NCCTL" port add tcp 80 balance o
expect_err 'ncctl: missing argument after "balance"' \
	"$NCCTL" port add tcp 80 balance
expect_err 'ncctl: duplicate keyword "balance"' \
	"$NCCTL" port add tcp 80 balance on replace bal off
# "b" was bpf alone; with balance it is ambiguous.
expect_err 'ncctl: ambiguous keyword "b": bpf, balance' \
	"$NCCTL" port add tcp 80 hash bpf b "$TMP/none"
expect_err 'ncctl: unknown keyword "balance"' \
	"$NCCTL" port del tcp 80 balance on

expect_err 'ncctl: LOCAL and REMOTE address families differ' \
	"$NCCTL" conn assign tcp 10.0.0.1:80 '[2001:db8::1]:9000' ctx 1
expect_err 'ncctl: LOCAL and REMOTE address families differ' \
	"$NCCTL" conn migrate udp '[::1]:80' 10.0.0.2:9000 ctx 1
expect_err 'ncctl: missing ctx N' \
	"$NCCTL" conn assign tcp '*:80' 10.0.0.2:9000
expect_err 'ncctl: missing LOCAL' "$NCCTL" conn assign tcp
expect_err 'ncctl: missing REMOTE' "$NCCTL" conn assign tcp '*:80'
expect_err 'ncctl: invalid REMOTE "*:9000": "*" is not allowed here' \
	"$NCCTL" conn assign tcp '*:80' '*:9000' ctx 0
expect_err 'ncctl: invalid LOCAL "*:80": "*" is not allowed here' \
	"$NCCTL" conn migrate tcp '*:80' 10.0.0.2:9000 ctx 0
expect_err 'ncctl: invalid LOCAL "::1:80": an IPv6 address needs brackets: [ADDR]:PORT' \
	"$NCCTL" conn migrate tcp ::1:80 '[::2]:9000' ctx 0
expect_err 'ncctl: invalid LOCAL "10.0.0.1:70000": invalid port' \
	"$NCCTL" conn migrate tcp 10.0.0.1:70000 10.0.0.2:9000 ctx 0
expect_err 'ncctl: invalid REMOTE "10.0.0.300:1": invalid IPv4 address' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.300:1 ctx 0
expect_err 'ncctl: invalid context "1024"' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 ctx 1024
expect_err 'ncctl: invalid timeout "soon"' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 timeout soon
expect_err 'ncctl: timeout is only valid for conn assign' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 ctx 1 timeout 5
expect_err 'ncctl: group is only valid for conn assign and conn set' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 ctx 1 group 5
expect_err 'ncctl: invalid group "x"' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 group x
expect_err 'ncctl: invalid group "-1"' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 group -1
expect_err 'ncctl: duplicate keyword "group"' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 group 1 ctx 1 g 2
expect_err 'ncctl: missing argument after "group"' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 group
expect_err 'ncctl: missing group ID' "$NCCTL" conn set tcp '*:7' 10.0.0.2:1
expect_err 'ncctl: nowait is only valid for conn migrate' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 nowait
expect_err 'ncctl: nowait is only valid for conn migrate' \
	"$NCCTL" conn set tcp '*:7' 10.0.0.2:1 nowait group 1
expect_err 'ncctl: duplicate keyword "nowait"' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 nowait ctx 1 now
expect_err 'ncctl: missing ctx N' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 nowait
expect_err 'ncctl: invalid context "nowait"' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 ctx nowait
expect_err 'ncctl: missing ADDR' "$NCCTL" conn migrate remote
expect_err 'ncctl: missing group ID' "$NCCTL" conn migrate group
expect_err 'ncctl: invalid group "0"' "$NCCTL" conn migrate group 0 ctx 1
expect_err 'ncctl: invalid group "none"' "$NCCTL" conn migrate g none ctx 1
expect_err 'ncctl: missing ctx N' "$NCCTL" conn migrate group 7
expect_err 'ncctl: missing ctx N' "$NCCTL" conn migrate remote 10.0.0.2 nowait
expect_err 'ncctl: invalid ADDR "10.0.0.2:40000": expected an address without port' \
	"$NCCTL" conn migrate remote 10.0.0.2:40000 ctx 1
expect_err 'ncctl: invalid ADDR "[2001:db8::2": missing "]"' \
	"$NCCTL" conn migrate remote '[2001:db8::2' ctx 1
expect_err 'ncctl: invalid ADDR "10.0.0.300": invalid IPv4 address' \
	"$NCCTL" conn migrate remote 10.0.0.300 ctx 1
expect_err 'ncctl: unknown protocol "icmp"' \
	"$NCCTL" conn migrate remote 10.0.0.2 proto icmp ctx 1
expect_err 'ncctl: duplicate keyword "proto"' \
	"$NCCTL" conn migrate remote 10.0.0.2 proto tcp ctx 1 proto udp
expect_err 'ncctl: proto is only valid for conn migrate remote' \
	"$NCCTL" conn migrate group 7 ctx 1 proto tcp
expect_err 'ncctl: proto is only valid for conn migrate remote' \
	"$NCCTL" conn migrate tcp 10.0.0.1:7 10.0.0.2:1 ctx 1 proto tcp
expect_err 'ncctl: proto is only valid for conn migrate remote' \
	"$NCCTL" conn assign tcp '*:7' 10.0.0.2:1 ctx 1 proto tcp
expect_err 'ncctl: duplicate keyword "group"' \
	"$NCCTL" conn migrate group 7 ctx 1 group 8
expect_err 'ncctl: group is only valid for conn assign and conn set' \
	"$NCCTL" conn migrate remote 10.0.0.2 ctx 1 group 8
expect_err 'ncctl: timeout is only valid for conn assign' \
	"$NCCTL" conn migrate remote 10.0.0.2 ctx 1 timeout 8
# remote and group are conn migrate's alone: elsewhere, no protocol.
expect_err 'ncctl: unknown protocol "remote"' \
	"$NCCTL" conn assign remote 10.0.0.2 ctx 1
expect_err 'ncctl: unknown protocol "group"' \
	"$NCCTL" conn set group 7
expect_err 'ncctl: missing protocol (tcp or udp)' "$NCCTL" conn set
expect_err 'ncctl: missing REMOTE' "$NCCTL" conn set udp 10.0.0.1:7
expect_err 'ncctl: ctx is only valid for conn assign and conn migrate' \
	"$NCCTL" conn set tcp '*:7' 10.0.0.2:1 group 1 ctx 1
expect_err 'ncctl: timeout is only valid for conn assign' \
	"$NCCTL" conn set tcp '*:7' 10.0.0.2:1 timeout 1 group 1
expect_err 'ncctl: invalid group "1x"' \
	"$NCCTL" conn set tcp '*:7' 10.0.0.2:1 group 1x
expect_err 'ncctl: duplicate keyword "group"' \
	"$NCCTL" conn set tcp '*:7' 10.0.0.2:1 group 1 group 1
expect_err 'ncctl: invalid REMOTE "*:1": "*" is not allowed here' \
	"$NCCTL" conn set tcp '*:7' '*:1' group 1
# "s" was show alone; with set it is ambiguous, as any such prefix.
expect_err 'ncctl: ambiguous command "s": show, set' "$NCCTL" conn s
expect_err 'ncctl: ambiguous keyword "p": proto, port' "$NCCTL" conn show p 5
expect_err 'ncctl: invalid port "0"' "$NCCTL" conn show port 0
expect_err 'ncctl: invalid context "x"' "$NCCTL" conn show ctx x
expect_err 'ncctl: invalid group "0"' "$NCCTL" conn show group 0
expect_err 'ncctl: invalid group "none"' "$NCCTL" conn show group none
expect_err 'ncctl: invalid group "4294967296"' \
	"$NCCTL" conn show group 4294967296
expect_err 'ncctl: duplicate keyword "group"' \
	"$NCCTL" conn show group 1 group 2
expect_err 'ncctl: unknown keyword "now"' "$NCCTL" monitor now

### batch mode errors

cat >"$TMP/batch" <<'EOF'
# comment, then a blank line

port add tcp 99999
port add tcp 80
EOF
expect_err "ncctl: line 3: invalid port \"99999\"
Command failed $TMP/batch:3" "$NCCTL" -b "$TMP/batch"
# -batch is batch, not -b with "atch" as its FILE (getopt did that).
expect_err "ncctl: line 3: invalid port \"99999\"
Command failed $TMP/batch:3" "$NCCTL" -batch "$TMP/batch"
expect_err "ncctl: line 3: invalid port \"99999\"
Command failed $TMP/batch:3" "$NCCTL" -bat "$TMP/batch"
expect_err "ncctl: line 3: invalid port \"99999\"
Command failed $TMP/batch:3" "$NCCTL" --batch "$TMP/batch"
expect_err "ncctl: line 3: invalid port \"99999\"
Command failed $TMP/batch:3" "$NCCTL" --batch="$TMP/batch"
# -force: every line runs, each failure is reported, the exit status is 1.
printf 'port add tcp 99999\nctx help\nport add udp 0\n' >"$TMP/force"
run "$NCCTL" -force -batch "$TMP/force"
check "-force -batch: goes on after line 1, fails at the end" \
	test "$rc" = 1 -a "$err" = "ncctl: line 1: invalid port \"99999\"
Command failed $TMP/force:1
ncctl: line 3: invalid port \"0\"
Command failed $TMP/force:3" -a "${out:0:20}" = "Usage: ncctl ctx sho"
run "$NCCTL" -b "$TMP/force"
check "-b without -force stops at line 1" \
	test "$rc" = 1 -a -z "$out" -a "$err" = "ncctl: line 1: invalid port \"99999\"
Command failed $TMP/force:1"
run "$NCCTL" -f -b "$TMP/force"
check "-f is -force" test "$rc" = 1 -a -n "$out"
printf 'ctx help\n' >"$TMP/force"
run "$NCCTL" -force -b "$TMP/force"
check "-force -batch: exit 0 when every line succeeds" \
	test "$rc" = 0 -a -n "$out" -a -z "$err"
printf 'ctx help\n  # indented comment\nport add tcp 80 "bpf\n' >"$TMP/batch"
run "$NCCTL" -b "$TMP/batch"
check "batch: unterminated quote on line 3" \
	test "$rc" = 1 -a "$err" = "ncctl: line 3: unterminated quote
Command failed $TMP/batch:3"
printf 'bogus\n' >"$TMP/batch"
run "$NCCTL" -b - <"$TMP/batch"
check "batch from stdin: error on line 1" \
	test "$rc" = 1 -a "$err" = 'ncctl: line 1: unknown object "bogus"
Command failed -:1'
expect_err "ncctl: cannot open \"$TMP/none\": No such file or directory" \
	"$NCCTL" -b "$TMP/none"
expect_err 'ncctl: -b FILE takes no OBJECT on the command line' \
	"$NCCTL" -b "$TMP/batch" ctx show
printf '# only comments\n\n' >"$TMP/batch"
expect_out "" "$NCCTL" -b "$TMP/batch"

### bash completion

COMPLETION=$(dirname "$0")/ncctl.bash-completion
# completes "LINE": what _ncctl offers with the cursor at the end of LINE,
# sorted, on one line (a fresh bash without bash-completion's helpers).
completes() {
	bash --norc --noprofile -c '
		source "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ncctl ncctl "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' _ \
		"$COMPLETION" "$1"
}
# expect_completion "LINE" "WORDS": _ncctl offers exactly WORDS.
expect_completion() {
	local got
	got=$(completes "$1")
	if [ "$got" = "$2" ]; then
		ok "completion of \"$1\""
	else
		not_ok "completion of \"$1\"" "got:  $got" "want: $2"
	fi
}

if [ ! -f "$COMPLETION" ]; then
	echo "# $COMPLETION not found: completion tests skipped"
else
	expect_completion "ncctl " "conn ctx help monitor port"
	expect_completion "ncctl -js" "-json"
	expect_completion "ncctl -st" "-statistics -stats"
	expect_completion "ncctl -f" "-force"
	got=$(completes "ncctl -")
	check "completion of \"ncctl -\" offers the ip-style options" \
		test "$got" = "-V -Version -b -batch -force -h -help -j -json -n -netns -p -pretty -s -statistics -stats"
	expect_completion "ncctl -json c" "conn ctx"
	expect_completion "ncctl -s -pretty ctx " "help show"
	# The argument of -n / -b is not OBJECT.
	expect_completion "ncctl -n blue " "conn ctx help monitor port"
	expect_completion "ncctl -netns blue c" "conn ctx"
	expect_completion "ncctl -ne blue -j port " "add del help show"
	expect_completion "ncctl -force -batch conf " ""
	expect_completion "ncctl -batch test_cli.s" "test_cli.sh"
	expect_completion "ncctl -bat test_cli.s" "test_cli.sh"
	expect_completion "ncctl --batch test_cli.s" "test_cli.sh"
	expect_completion "ncctl --batch=x " ""
	expect_completion "ncctl -b x -" "$(completes "ncctl -")"
	expect_completion "ncctl --netns=x port " "add del help show"
	expect_completion "ncctl port add tcp 80 hash bpf bpf test_cli.s" \
		"test_cli.sh"
	expect_completion "ncctl port add tcp 80 match " "local remote"
	expect_completion "ncctl port add tcp 80 contexts " ""
	# key only after hash toeplitz, bpf only after hash bpf.
	expect_completion "ncctl port add tcp 80 " \
		"balance contexts hash match replace"
	expect_completion "ncctl port add tcp 80 hash default " \
		"balance contexts match replace"
	expect_completion "ncctl port add tcp 80 hash toeplitz " \
		"balance contexts key match replace"
	expect_completion "ncctl port add tcp 80 h t contexts 0 " \
		"balance key match replace"
	expect_completion "ncctl port add tcp 80 hash bpf " \
		"balance bpf contexts match replace"
	expect_completion "ncctl port add udp 53 replace hash b " \
		"balance bpf contexts match"
	expect_completion "ncctl port add tcp 80 balance " "off on"
	expect_completion "ncctl port add tcp 80 bal o" "off on"
	expect_completion "ncctl port add tcp 80 balance on " \
		"contexts hash match replace"
	expect_completion "ncctl port add tcp 80 replace balance off hash bpf " \
		"bpf contexts match"
	expect_completion "ncctl port add tcp 80 hash bpf b" "balance bpf"
	expect_completion "ncctl port del tcp 80 balance " ""
	expect_completion "ncctl port add tcp 80 hash round-robin k" ""
	expect_completion "ncctl port add tcp 80 hash remote-addr b" "balance"
	expect_completion "ncctl port add tcp 80 hash toeplitz k" "key"
	expect_completion "ncctl port add tcp 80 hash " \
		"bpf default least-loaded remote-addr round-robin toeplitz"
	expect_completion "ncctl port del tcp 80 " "match"
	expect_completion "ncctl conn show " "ctx group port proto"
	expect_completion "ncctl conn show group 7 " "ctx port proto"
	expect_completion "ncctl conn show group " ""
	expect_completion "ncctl conn assign tcp *:80 10.0.0.2:9 " \
		"ctx group timeout"
	expect_completion "ncctl conn assign tcp *:80 10.0.0.2:9 group 4 " \
		"ctx timeout"
	expect_completion "ncctl conn assign tcp *:80 10.0.0.2:9 group " ""
	expect_completion "ncctl conn migrate tcp 10.0.0.1:80 10.0.0.2:9 " \
		"ctx nowait"
	expect_completion "ncctl conn migrate tcp 10.0.0.1:80 10.0.0.2:9 nowait " \
		"ctx"
	expect_completion "ncctl conn migrate tcp 10.0.0.1:80 10.0.0.2:9 ctx 1 " \
		"nowait"
	expect_completion "ncctl conn migrate tcp 10.0.0.1:80 10.0.0.2:9 ctx " ""
	expect_completion "ncctl conn migrate " "group remote tcp udp"
	expect_completion "ncctl conn migrate remote " ""
	expect_completion "ncctl conn migrate remote 10.0.0.2 " "ctx nowait proto"
	expect_completion "ncctl conn migrate r 10.0.0.2 proto " "tcp udp"
	expect_completion "ncctl conn migrate remote 10.0.0.2 p udp nowait " "ctx"
	expect_completion "ncctl conn migrate group " ""
	expect_completion "ncctl conn migrate group 7 " "ctx nowait"
	expect_completion "ncctl conn migrate g 7 ctx 1 " "nowait"
	expect_completion "ncctl conn migrate group 7 ctx " ""
	expect_completion "ncctl conn assign " "tcp udp"
	expect_completion "ncctl conn " "assign help migrate set show"
	expect_completion "ncctl conn set " "tcp udp"
	expect_completion "ncctl conn set tcp *:80 " ""
	expect_completion "ncctl conn set tcp *:80 10.0.0.2:9 " "group"
	expect_completion "ncctl conn set tcp *:80 10.0.0.2:9 group " ""
	expect_completion "ncctl conn set tcp *:80 10.0.0.2:9 group 3 " ""
fi

### the real kernel interface

if [ -d /sys/module/netctx ]; then
	run "$NCCTL" -j ctx show
	check "-j ctx show with the module loaded" [ "$rc" = 0 ]
else
	expect_err 'ncctl: netctx module not loaded (genl family "netctx" not found)' \
		"$NCCTL" -j ctx show
	expect_err 'ncctl: netctx module not loaded (genl family "netctx" not found)' \
		"$NCCTL" port add tcp 5000 hash round-robin contexts 0-3
	expect_err 'ncctl: netctx module not loaded (genl family "netctx" not found)' \
		"$NCCTL" monitor
	printf 'ctx help\nctx show\n' >"$TMP/batch"
	run "$NCCTL" -b "$TMP/batch"
	check "batch: kernel error reported with its line" \
		test "$rc" = 1 -a "$err" = "ncctl: line 2: netctx module not loaded (genl family \"netctx\" not found)
Command failed $TMP/batch:2"
fi

### against the fake kernel

if [ ! -x "$FAKE" ]; then
	echo "# $FAKE not built: fake kernel tests skipped"
else
	export NCCTL_FAKE_LOG="$TMP/log"
	# last_req: the last request the fake kernel received.
	last_req() { tail -n 1 "$NCCTL_FAKE_LOG"; }
	# expect_req "REQUEST" CMD...: succeeds and sends REQUEST.
	expect_req() {
		local want=$1
		shift
		: >"$NCCTL_FAKE_LOG"
		run "$@"
		if [ "$rc" = 0 ] && [ -z "$err" ] && [ "$(last_req)" = "$want" ]; then
			ok "${*:2} sends $want"
		else
			not_ok "${*:2} sends $want" "rc=$rc" "stderr: $err" \
				"sent: $(last_req)"
		fi
	}
	Z=$(printf '%0240d' 0)	# CONTEXTS words 1..15, all zero

	# load: a rate the kernel sends, printed without -s, 0 included.
	expect_out "ctx 0 cpu 0 conns 3 queued 0 load 4000
ctx 1 cpu 2 conns 2 queued 1 load 0" "$FAKE" ctx show
	expect_out "$(cat "$TMP/out")" "$FAKE" ctx
	STATS="ctx 0 cpu 0 conns 3 queued 0 load 4000 packets 1234 bytes 99999 drops 0 migrations in 0 out 1 timers 5
ctx 1 cpu 2 conns 2 queued 1 load 0 packets 1235 bytes 100000 drops 0 migrations in 1 out 0 timers 1099511627781"
	expect_out "$STATS" "$FAKE" -s ctx show
	expect_out "$STATS" "$FAKE" -stats ctx show
	expect_out "$STATS" "$FAKE" -statistics ctx show
	expect_out "$STATS" "$FAKE" -st ctx show
	expect_out "$STATS" "$FAKE" --stats ctx show
	expect_out "$STATS" "$FAKE" -s -s ctx show
	check "ctx show sends a GET_CTX dump" [ "$(last_req)" = "GET_CTX dump" ]
	# A kernel without NETCTX_A_CTX_LOAD: no load, in text or JSON.
	NCCTL_FAKE_NOLOAD=1 expect_out "ctx 0 cpu 0 conns 3 queued 0
ctx 1 cpu 2 conns 2 queued 1" "$FAKE" ctx show
	NCCTL_FAKE_NOLOAD=1 run "$FAKE" -j ctx show
	echo "$out" >"$TMP/json"
	check "-j ctx show without NETCTX_A_CTX_LOAD: no \"load\" key" \
		json_check "$TMP/json" \
		'len(j) == 2 and all("load" not in c for c in j) and j[1]["queued"] == 1'
	NCCTL_FAKE_BADLOAD=1 expect_err \
		'ncctl: ctx show: kernel sent NETCTX_A_CTX_LOAD of 4 bytes' \
		"$FAKE" ctx show
	NCCTL_FAKE_DUMPINTR=1 expect_err \
		'ncctl: port show: the dump was interrupted by a change and may miss or repeat an entry, run it again: Interrupted system call' \
		"$FAKE" port show
	run "$FAKE" -j ctx show
	echo "$out" >"$TMP/json"
	check "-j ctx show is one line" [ "$rc" = 0 -a "$(wc -l <"$TMP/json")" = 1 ]
	check "-j ctx show keys" json_check "$TMP/json" \
		'len(j) == 2 and j[1] == {"id": 1, "cpu": 2, "conns": 2, "queued": 1, "load": 0, "packets": 1235, "bytes": 100000, "drops": 0, "migrations_in": 1, "migrations_out": 0, "timers_fired": 1099511627781}'
	# JSON carries every counter, with or without -s.
	for o in -j -json -js --json "-j -s" -sj "-json -stats" -jsp \
		 "-s -json -pretty"; do
		run "$FAKE" $o ctx show
		echo "$out" >"$TMP/json"
		check "$o ctx show: JSON with every key" json_check "$TMP/json" \
			'len(j) == 2 and j[1] == {"id": 1, "cpu": 2, "conns": 2, "queued": 1, "load": 0, "packets": 1235, "bytes": 100000, "drops": 0, "migrations_in": 1, "migrations_out": 0, "timers_fired": 1099511627781}'
		check "$o ctx show: exit 0, nothing on stderr" \
			[ "$rc" = 0 -a -z "$err" -a "${out:0:1}" = "[" ]
	done
	for o in "-j -p" "-json -pretty" -jp -pj "-pretty -j" "-j -pr" \
		 "--json --pretty"; do
		run "$FAKE" $o ctx show
		echo "$out" >"$TMP/json"
		check "$o ctx show is pretty" [ "$(sed -n 3p "$TMP/json")" = '    "id": 0,' ]
		check "$o ctx show is valid JSON" json_check "$TMP/json" 'j[0]["timers_fired"] == 5 and j[0]["load"] == 4000'
	done
	# -n: setns() before the netlink socket opens (the fake checks).
	: >"$NCCTL_FAKE_LOG"
	run "$FAKE" -n /proc/self/ns/net -j ctx show
	check "-n NETNS: setns, then the request" \
		[ "$rc" = 0 -a -z "$err" -a "$(cat "$NCCTL_FAKE_LOG")" = "SETNS NEWNET
GET_CTX dump" ]
	: >"$NCCTL_FAKE_LOG"
	run "$FAKE" -netns /proc/self/ns/net -b - <<<"ctx show"
	check "-netns NETNS -b: setns once, then the batch" \
		[ "$rc" = 0 -a -z "$err" -a "$(cat "$NCCTL_FAKE_LOG")" = "SETNS NEWNET
GET_CTX dump" ]

	expect_out "tcp 10.0.0.1:5000 10.0.0.2:40000 ctx 1 origin hash placed-by hash hash 0x1234abcd state active first-ctx 1
udp *:53 [2001:db8::2]:5353 ctx 0 origin assigned placed-by assigned hash 0x00000000 state assigned
tcp [2001:db8::1]:443 [2001:db8::3]:5000 ctx 0 origin migrated placed-by assigned hash 0xdeadbeef state migrating first-ctx 1 group 7" \
		"$FAKE" conn show
	expect_out "tcp 10.0.0.1:5000 10.0.0.2:40000 ctx 1 origin hash placed-by hash hash 0x1234abcd packets 10 bytes 1000 state active first-ctx 1
udp *:53 [2001:db8::2]:5353 ctx 0 origin assigned placed-by assigned hash 0x00000000 packets 0 bytes 0 state assigned
tcp [2001:db8::1]:443 [2001:db8::3]:5000 ctx 0 origin migrated placed-by assigned hash 0xdeadbeef packets 8589934592 bytes 8796093022208 state migrating first-ctx 1 group 7" \
		"$FAKE" -s conn show
	for o in -j -json "-j -s"; do
		run "$FAKE" $o conn show
		echo "$out" >"$TMP/json"
		check "$o conn show keys" json_check "$TMP/json" \
			'j[0] == {"proto": "tcp", "local": "10.0.0.1:5000", "remote": "10.0.0.2:40000", "ctx": 1, "origin": "hash", "placed_by": "hash", "hash": 0x1234abcd, "packets": 10, "bytes": 1000, "state": "active", "first_ctx": 1} and j[1]["local"] == "*:53" and j[1]["remote"] == "[2001:db8::2]:5353" and "first_ctx" not in j[1] and j[2]["hash"] == 0xdeadbeef and j[2]["origin"] == "migrated" and j[2]["placed_by"] == "assigned" and "group" not in j[0] and "group" not in j[1] and j[2]["group"] == 7'
	done
	# The fake kernel ignores the filters: ncctl applies them as well.
	expect_req "GET_CONN dump PROTO=17" "$FAKE" conn show proto udp
	check "conn show proto udp: one connection" \
		test "$(echo "$out" | wc -l)" = 1 -a "${out:0:4}" = "udp "
	expect_req "GET_CONN dump CTX_ID=1 PROTO=6 PORT=40000" \
		"$FAKE" conn show ctx 1 proto tcp port 40000
	check "conn show ctx 1 proto tcp port 40000: one connection" \
		test "$(echo "$out" | wc -l)" = 1 -a "${out:0:14}" = "tcp 10.0.0.1:5"
	run "$FAKE" conn show port 5000
	check "conn show port 5000 matches local or remote port" \
		[ "$(echo "$out" | wc -l)" = 2 ]
	# Groups are filtered by ncctl alone: the kernel has no such filter.
	expect_req "GET_CONN dump" "$FAKE" conn show group 7
	check "conn show group 7: the one connection of group 7" \
		test "$(echo "$out" | wc -l)" = 1 -a "${out:0:21}" = "tcp [2001:db8::1]:443"
	run "$FAKE" -j conn show gr 7 proto tcp
	echo "$out" >"$TMP/json"
	check "-j conn show group 7: \"group\" key" json_check "$TMP/json" \
		'len(j) == 1 and j[0]["group"] == 7 and j[0]["local"] == "[2001:db8::1]:443"'
	run "$FAKE" conn show group 8
	check "conn show group 8: no connection" [ "$rc" = 0 -a -z "$out" ]
	run "$FAKE" -j conn show ctx 5
	check "-j conn show with no match is []" [ "$rc" = 0 -a "$out" = "[]" ]
	run "$FAKE" conn show ctx 5
	check "conn show with no match prints nothing" [ "$rc" = 0 -a -z "$out" ]

	expect_req "ADD_PORT ack PROTO=6 PORT=5000" "$FAKE" port add tcp 5000
	expect_req "ADD_PORT ack PROTO=17 PORT=53 MATCH=1 HASH=4 CONTEXTS=0100000000000000$Z FLAGS=1" \
		"$FAKE" port a u 53 m r h l co 0 rep
	# The fake kernel has 2 contexts: it refuses this one, after logging.
	run "$FAKE" port add tcp 8080 hash round-robin contexts 0-3,6,64
	check "contexts 0-3,6,64: 16 host-order u64 words" test "$(last_req)" = \
		"ADD_PORT ack PROTO=6 PORT=8080 HASH=3 CONTEXTS=4f000000000000000100000000000000${Z:16}"
	expect_req "ADD_PORT ack PROTO=6 PORT=443 HASH=1 HASH_KEY=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa" \
		"$FAKE" port add tcp 443 hash toeplitz key 6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa
	printf '6\n40 0 0 12\n21 0 3 2048\n48 0 0 23\n21 0 1 6\n6 0 0 4294967295\n6 0 0 0\n' >"$TMP/prog.bpf"
	expect_req "ADD_PORT ack PROTO=6 PORT=80 HASH=5 BPF=6:{40,0,0,12}..{6,0,0,0}" \
		"$FAKE" port add tcp 80 hash bpf bpf "$TMP/prog.bpf"
	expect_req "ADD_PORT ack PROTO=6 PORT=80 HASH=0" "$FAKE" port add tcp 80 hash default
	# balance: NETCTX_F_BALANCE (4), with replace's bit (1) if given.
	expect_req "ADD_PORT ack PROTO=6 PORT=2049 HASH=2 FLAGS=4" \
		"$FAKE" port add tcp 2049 hash remote-addr balance on
	expect_req "ADD_PORT ack PROTO=6 PORT=2049 HASH=2 FLAGS=5" \
		"$FAKE" port add tcp 2049 hash remote-addr replace balance on
	expect_req "ADD_PORT ack PROTO=17 PORT=4789 FLAGS=5" \
		"$FAKE" port a u 4789 ba on r
	# balance off is the default; said explicitly, the kernel gets it.
	expect_req "ADD_PORT ack PROTO=6 PORT=2049 FLAGS=0" \
		"$FAKE" port add tcp 2049 balance off
	expect_req "ADD_PORT ack PROTO=6 PORT=2049 FLAGS=1" \
		"$FAKE" port add tcp 2049 balance of replace
	check "port add balance prints nothing" [ -z "$out" ]
	expect_req "DEL_PORT ack PROTO=6 PORT=5000" "$FAKE" port del tcp 5000
	expect_req "DEL_PORT ack PROTO=17 PORT=5000 MATCH=1" \
		"$FAKE" port del udp 5000 match remote
	expect_req "ASSIGN_CONN ack PROTO=6 FAMILY=2 LPORT=80 RADDR=c0000202 RPORT=40000 CTX_ID=1" \
		"$FAKE" conn assign tcp '*:80' 192.0.2.2:40000 ctx 1
	expect_req "ASSIGN_CONN ack PROTO=17 FAMILY=10 LADDR=20010db8000000000000000000000001 LPORT=53 RADDR=20010db8000000000000000000000002 RPORT=5353 CTX_ID=0 TIMEOUT_MS=2000" \
		"$FAKE" conn assign udp '[2001:db8::1]:53' '[2001:db8::2]:5353' ctx 0 timeout 2000
	expect_req "ASSIGN_CONN ack PROTO=6 FAMILY=2 LPORT=80 RADDR=c0000202 RPORT=40000 CTX_ID=1 GROUP=42" \
		"$FAKE" conn assign tcp '*:80' 192.0.2.2:40000 group 42 ctx 1
	expect_req "ASSIGN_CONN ack PROTO=6 FAMILY=2 LADDR=c0000201 LPORT=80 RADDR=c0000202 RPORT=40000 CTX_ID=1 TIMEOUT_MS=500 GROUP=4294967295" \
		"$FAKE" conn as t 192.0.2.1:80 192.0.2.2:40000 c 1 g 4294967295 t 500
	# Group 0 is none: said explicitly, the kernel gets it.
	expect_req "ASSIGN_CONN ack PROTO=17 FAMILY=2 LPORT=53 RADDR=c0000202 RPORT=5353 CTX_ID=0 GROUP=0" \
		"$FAKE" conn assign udp '*:53' 192.0.2.2:5353 ctx 0 group none
	expect_req "ASSIGN_CONN ack PROTO=17 FAMILY=2 LPORT=53 RADDR=c0000202 RPORT=5353 CTX_ID=0 GROUP=0" \
		"$FAKE" conn assign udp '*:53' 192.0.2.2:5353 ctx 0 group 0
	expect_req "SET_CONN ack PROTO=6 FAMILY=2 LADDR=0a000001 LPORT=5000 RADDR=0a000002 RPORT=40000 GROUP=7" \
		"$FAKE" conn set tcp 10.0.0.1:5000 10.0.0.2:40000 group 7
	check "conn set prints nothing" [ -z "$out" ]
	# A pre-assignment to any local address: no LADDR.
	expect_req "SET_CONN ack PROTO=17 FAMILY=10 LPORT=53 RADDR=20010db8000000000000000000000002 RPORT=5353 GROUP=0" \
		"$FAKE" conn se udp '*:53' '[2001:db8::2]:5353' g none
	expect_req "SET_CONN ack PROTO=6 FAMILY=10 LADDR=20010db8000000000000000000000001 LPORT=443 RADDR=20010db8000000000000000000000003 RPORT=5000 GROUP=0" \
		"$FAKE" conn set tcp '[2001:db8::1]:443' '[2001:db8::3]:5000' group 0
	expect_req "MIGRATE_CONN ack PROTO=6 FAMILY=2 LADDR=0a000001 LPORT=5000 RADDR=0a000002 RPORT=40000 CTX_ID=0" \
		"$FAKE" conn migrate tcp 10.0.0.1:5000 10.0.0.2:40000 ctx 0
	expect_req "MIGRATE_CONN ack PROTO=6 FAMILY=2 LADDR=0a000001 LPORT=5000 RADDR=0a000002 RPORT=40000 CTX_ID=1 FLAGS=2" \
		"$FAKE" conn migrate tcp 10.0.0.1:5000 10.0.0.2:40000 ctx 1 nowait
	check "conn migrate nowait prints nothing" [ -z "$out" ]
	expect_req "MIGRATE_CONN ack PROTO=6 FAMILY=2 LADDR=0a000001 LPORT=5000 RADDR=0a000002 RPORT=40000 CTX_ID=1 FLAGS=2" \
		"$FAKE" -j conn m t 10.0.0.1:5000 10.0.0.2:40000 n c 1
	check "-j conn migrate nowait prints nothing" [ -z "$out" ]
	# Every connection of a peer: family and address, no ports.
	expect_req "MIGRATE_CONN ack FAMILY=2 RADDR=0a000002 CTX_ID=0" \
		"$FAKE" conn migrate remote 10.0.0.2 ctx 0
	check "conn migrate remote prints nothing" [ -z "$out" ]
	expect_req "MIGRATE_CONN ack PROTO=17 FAMILY=10 RADDR=20010db8000000000000000000000002 CTX_ID=1 FLAGS=2" \
		"$FAKE" conn migrate remote '[2001:db8::2]' proto udp ctx 1 nowait
	expect_req "MIGRATE_CONN ack PROTO=6 FAMILY=10 RADDR=20010db8000000000000000000000003 CTX_ID=1" \
		"$FAKE" conn mi r 2001:db8::3 c 1 p t
	# The dual-stack spelling of an IPv4 peer is that IPv4 peer.
	expect_req "MIGRATE_CONN ack FAMILY=2 RADDR=0a000002 CTX_ID=1" \
		"$FAKE" conn migrate remote ::ffff:10.0.0.2 ctx 1
	expect_req "MIGRATE_CONN ack GROUP=7 CTX_ID=1" \
		"$FAKE" conn migrate group 7 ctx 1
	check "conn migrate group prints nothing" [ -z "$out" ]
	expect_req "MIGRATE_CONN ack GROUP=7 CTX_ID=0 FLAGS=2" \
		"$FAKE" conn migrate gr 7 nowait ctx 0
	expect_err 'ncctl: conn migrate: no managed connection in this session: No such file or directory' \
		"$FAKE" conn migrate group 4294967295 ctx 0
	check "conn migrate group 4294967295 sends it" \
		[ "$(last_req)" = "MIGRATE_CONN ack GROUP=4294967295 CTX_ID=0" ]
	run "$FAKE" -j port add tcp 81
	check "-j port add prints nothing" [ "$rc" = 0 -a -z "$out" -a -z "$err" ]

	# Kernel errors: extack message, offending attribute, strerror.
	expect_err 'ncctl: port add: port policy exists (NETCTX_A_PORT): File exists' \
		"$FAKE" port add tcp 666
	NCCTL_FAKE_NOCAP=1 expect_err \
		'ncctl: port add: port policy exists (NETCTX_A_PORT): File exists' \
		"$FAKE" port add tcp 666
	expect_err 'ncctl: port add: context set names a context that does not exist (NETCTX_A_CONTEXTS): Invalid argument' \
		"$FAKE" port add tcp 80 contexts 0-3
	expect_err 'ncctl: port add: invalid NETCTX_A_HASH_KEY: File exists' \
		"$FAKE" port add tcp 999 hash toeplitz key "$(printf '%080d' 0)"
	expect_err 'ncctl: conn migrate: no such connection: No such file or directory' \
		"$FAKE" conn migrate tcp 10.0.0.1:1 10.0.0.2:2 ctx 1
	expect_err 'ncctl: conn migrate: no managed connection in this session: No such file or directory' \
		"$FAKE" conn migrate remote 10.0.0.9 ctx 1
	expect_err 'ncctl: conn migrate: no managed connection in this session: No such file or directory' \
		"$FAKE" conn migrate remote 10.0.0.2 proto udp ctx 1
	expect_err 'ncctl: conn migrate: no managed connection in this session: No such file or directory' \
		"$FAKE" conn migrate group 8 ctx 1
	expect_err 'ncctl: conn migrate: session has more than NETCTX_MAX_GROUP_CONNS connections: Argument list too long' \
		"$FAKE" conn migrate group 300 ctx 1
	# The kernel's message when it gives one, else ncctl's own.
	expect_err 'ncctl: conn migrate: connection already moving: Device or resource busy' \
		"$FAKE" conn migrate tcp '[2001:db8::1]:443' '[2001:db8::3]:5000' ctx 1
	expect_err 'ncctl: conn migrate: a connection is already moving, or its float queue overflowed (float_len): nothing moved: Device or resource busy' \
		"$FAKE" conn migrate group 302 ctx 1
	expect_err 'ncctl: conn migrate: more than NETCTX_MAX_GROUP_CONNS (256) connections: nothing moved: Argument list too long' \
		"$FAKE" conn migrate group 301 ctx 1
	expect_err 'ncctl: conn migrate: interrupted while waiting: the migration goes on (see conn show, monitor): Interrupted system call' \
		"$FAKE" conn migrate tcp 10.0.0.1:4 10.0.0.2:40000 ctx 1
	NCCTL_FAKE_EPERM=1 expect_err 'ncctl: conn migrate: Operation not permitted' \
		"$FAKE" conn migrate group 7 ctx 1
	expect_err 'ncctl: conn set: no such managed connection: No such file or directory' \
		"$FAKE" conn set tcp 10.0.0.1:1 10.0.0.2:2 group 1
	NCCTL_FAKE_EPERM=1 expect_err 'ncctl: conn set: Operation not permitted' \
		"$FAKE" conn set tcp 10.0.0.1:5000 10.0.0.2:40000 group 1
	NCCTL_FAKE_EPERM=1 expect_err 'ncctl: port del: Operation not permitted' \
		"$FAKE" port del tcp 80
	NCCTL_FAKE_NOFAMILY=1 expect_err \
		'ncctl: netctx module not loaded (genl family "netctx" not found)' \
		"$FAKE" ctx show
	run "$FAKE" -j conn show ctx 7
	check "dump error in NLMSG_DONE: message and valid JSON" \
		[ "$rc" = 1 -a "$out" = "[]" -a "$err" = 'ncctl: conn show: no context 7: Invalid argument' ]
	NCCTL_FAKE_BADATTR=1 expect_err \
		'ncctl: ctx show: kernel sent NETCTX_A_CTX_CPU of 3 bytes' \
		"$FAKE" ctx show

	# Batch: one socket, state kept between lines.
	cat >"$TMP/batch" <<EOF
port add tcp 5000 contexts 1
port add udp 4789 match remote hash toeplitz
# the fake kernel knows these two now
port show
port add tcp 666
port show
EOF
	run "$FAKE" -b "$TMP/batch"
	check "batch: port show after two adds, stops at the error on line 5" \
		[ "$rc" = 1 -a "$err" = "ncctl: line 5: port add: port policy exists (NETCTX_A_PORT): File exists
Command failed $TMP/batch:5" \
		  -a "$out" = "tcp 5000 match local hash default contexts 1 conns 2
udp 4789 match remote hash toeplitz key 6d:5a:56:da:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 contexts 0-1 conns 1" ]
	head -n 4 "$TMP/batch" >"$TMP/batch2"
	run "$FAKE" -j -b "$TMP/batch2"
	echo "$out" >"$TMP/json"
	check "-j batch port show keys" json_check "$TMP/json" \
		'j == [{"proto": "tcp", "port": 5000, "match": "local", "hash": "default", "contexts": [1], "balance": False, "conns": 2}, {"proto": "udp", "port": 4789, "match": "remote", "hash": "toeplitz", "key": "6d:5a:56:da" + ":00" * 36, "contexts": [0, 1], "balance": False, "conns": 1}]'
	run "$FAKE" -j -p -b "$TMP/batch2"
	echo "$out" >"$TMP/json"
	check "-j -p port show: contexts is an array of integers" \
		json_check "$TMP/json" \
		'[p["contexts"] for p in j] == [[1], [0, 1]]'
	check "-j -p port show: contexts array is pretty" \
		grep -qx '      0,' "$TMP/json"

	# "balance on" in port show (plain) when the kernel reports
	# NETCTX_F_BALANCE, "balance": true or false in JSON; a replace
	# without it turns it off.
	cat >"$TMP/balance" <<'EOF'
port add tcp 5000 hash round-robin balance on
port add udp 53 balance off
port show
port add tcp 5000 hash round-robin replace
port show
EOF
	run "$FAKE" -b "$TMP/balance"
	check "port show: balance on only for a balanced policy" \
		[ "$rc" = 0 -a -z "$err" -a "$out" = "tcp 5000 match local hash round-robin contexts 0-1 balance on conns 2
udp 53 match local hash default contexts 0-1 conns 4
tcp 5000 match local hash round-robin contexts 0-1 conns 2
udp 53 match local hash default contexts 0-1 conns 4" ]
	head -n 3 "$TMP/balance" >"$TMP/balance2"
	run "$FAKE" -j -b "$TMP/balance2"
	echo "$out" >"$TMP/json"
	check "-j port show: \"balance\" true or false" json_check "$TMP/json" \
		'[p["balance"] for p in j] == [True, False] and j[0] == {"proto": "tcp", "port": 5000, "match": "local", "hash": "round-robin", "contexts": [0, 1], "balance": True, "conns": 2}'

	# Boot-time configuration: ncctl -force -batch /etc/netctx.conf,
	# applied again and again (replace) with the same result.
	cat >"$TMP/netctx.conf" <<'EOF'
# /etc/netctx.conf

# NFS: all connections of one client on one context
port add tcp 2049 hash remote-addr replace
	# SMB on context 1 only
port add tcp 445 hash default contexts 1 replace   # trailing comment
port add udp 4789 match remote hash toeplitz replace
EOF
	: >"$NCCTL_FAKE_LOG"
	run "$FAKE" -force -batch "$TMP/netctx.conf"
	check "netctx.conf: comments and blank lines skipped, 3 requests" \
		[ "$rc" = 0 -a -z "$out" -a -z "$err" -a \
		  "$(grep -c 'ADD_PORT ack .*FLAGS=1$' "$NCCTL_FAKE_LOG")" = 3 -a \
		  "$(wc -l <"$NCCTL_FAKE_LOG")" = 3 ]
	{ cat "$TMP/netctx.conf" "$TMP/netctx.conf"; echo "port show"; } \
		>"$TMP/twice"
	run "$FAKE" -force -batch "$TMP/twice"
	check "netctx.conf applied twice: replace makes it idempotent" \
		[ "$rc" = 0 -a -z "$err" -a "$out" = "tcp 2049 match local hash remote-addr contexts 0-1 conns 5
tcp 445 match local hash default contexts 1 conns 4
udp 4789 match remote hash toeplitz key 6d:5a:56:da:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 contexts 0-1 conns 1" ]
	# balance in the file: on every pass, each line says it again.
	cat >"$TMP/balance.conf" <<'EOF'
port add tcp 2049 hash remote-addr balance on replace  # NFS, by load too
port add tcp 445 hash default contexts 1 replace balance off
EOF
	: >"$NCCTL_FAKE_LOG"
	{ cat "$TMP/balance.conf" "$TMP/balance.conf"; echo "port show"; } \
		>"$TMP/twice"
	run "$FAKE" -force -batch "$TMP/twice"
	check "netctx.conf with balance applied twice: same policies" \
		[ "$rc" = 0 -a -z "$err" -a "$out" = "tcp 2049 match local hash remote-addr contexts 0-1 balance on conns 5
tcp 445 match local hash default contexts 1 conns 4" -a \
		  "$(grep -c 'ADD_PORT ack .*HASH=2 FLAGS=5$' "$NCCTL_FAKE_LOG")" = 2 -a \
		  "$(grep -c 'ADD_PORT ack .*FLAGS=1$' "$NCCTL_FAKE_LOG")" = 2 ]
	{ cat "$TMP/netctx.conf" "$TMP/netctx.conf"; echo "port show"; } \
		>"$TMP/twice"
	sed 's/ replace//' "$TMP/twice" >"$TMP/noreplace"
	run "$FAKE" -force -b "$TMP/noreplace"
	check "without replace the second pass fails, -force goes on" \
		[ "$rc" = 1 -a "$(echo "$out" | wc -l)" = 3 -a "$err" = "ncctl: line 11: port add: port policy exists (NETCTX_A_PORT): File exists
Command failed $TMP/noreplace:11
ncctl: line 13: port add: port policy exists (NETCTX_A_PORT): File exists
Command failed $TMP/noreplace:13
ncctl: line 14: port add: port policy exists (NETCTX_A_PORT): File exists
Command failed $TMP/noreplace:14" ]
	# A line the kernel refuses does not stop the lines after it.
	printf 'port add tcp 666 replace\nport add tcp 80 replace\nport show\n' \
		>"$TMP/force"
	run "$FAKE" -force -b "$TMP/force"
	check "-force: kernel error on line 1, lines 2 and 3 still run" \
		[ "$rc" = 1 -a "$out" = "tcp 80 match local hash default contexts 0-1 conns 3" \
		  -a "$err" = "ncctl: line 1: port add: port policy exists (NETCTX_A_PORT): File exists
Command failed $TMP/force:1" ]
	run "$FAKE" -b "$TMP/force"
	check "without -force: stops at line 1" [ "$rc" = 1 -a -z "$out" ]
	run "$FAKE" -b - <<<$'port add tcp 80\nport del tcp 80\nport add tcp 80\nport show'
	check "port del removes the policy" \
		[ "$rc" = 0 -a "$out" = "tcp 80 match local hash default contexts 0-1 conns 3" ]

	# Monitor: the fake kernel overruns once, sends 6 events, then exits.
	run "$FAKE" -s monitor
	check "monitor: one line per event" [ "$rc" = 0 -a "$out" = "port-add udp 4789 match remote hash round-robin contexts 1 balance on conns 1
conn-new tcp 10.0.0.1:5000 10.0.0.2:40000 ctx 1 origin hash placed-by hash hash 0x1234abcd packets 10 bytes 1000 state active first-ctx 1
conn-migrate tcp [2001:db8::1]:443 [2001:db8::3]:5000 ctx 0 origin migrated placed-by assigned hash 0xdeadbeef packets 8589934592 bytes 8796093022208 state migrating first-ctx 1 group 7
conn-migrate-fail tcp 10.0.0.1:5000 10.0.0.2:40000 error EBUSY
port-del tcp 80 match local
event-99 udp *:53 [2001:db8::2]:5353 ctx 0 origin assigned placed-by assigned hash 0x00000000 packets 0 bytes 0 state assigned" ]
	check "monitor: lost events are reported" \
		[ "$err" = "ncctl: warning: monitor: events lost (receive buffer overrun)" ]
	run "$FAKE" -j -p monitor
	check "-j monitor: JSON lines, -p ignored" [ "$(echo "$out" | wc -l)" = 6 ]
	if $have_python; then
		echo "$out" | python3 -c 'import json, sys
ev = [json.loads(l) for l in sys.stdin]
assert [e["event"] for e in ev] == ["port-add", "conn-new", "conn-migrate", "conn-migrate-fail", "port-del", "event-99"]
assert ev[0]["contexts"] == [1] and ev[0]["hash"] == "round-robin"
assert ev[0]["balance"] is True
assert ev[1]["local"] == "10.0.0.1:5000" and ev[1]["hash"] == 0x1234abcd
assert ev[2]["group"] == 7 and "error" not in ev[2]
assert ev[3] == {"event": "conn-migrate-fail", "proto": "tcp", "local": "10.0.0.1:5000", "remote": "10.0.0.2:40000", "error": "EBUSY"}
assert ev[4] == {"event": "port-del", "proto": "tcp", "port": 80, "match": "local", "balance": False}'
		check "-j monitor events parse" [ $? = 0 ]
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
