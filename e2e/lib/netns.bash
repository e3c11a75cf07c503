# SPDX-License-Identifier: Apache-2.0
#
# A cluster whose nodes each live in their own network namespace, on one
# made-up LAN, for the network scenarios (t44xx). Load after lib/common,
# lib/server and lib/node (this harness reuses their images, teardown and
# helpers):
#   load lib/common
#   load lib/server
#   load lib/node
#   load lib/netns
#
# kl_netns_cluster_setup N builds, every name prefixed with kl$$- ($KL_NETNS):
#
#   kl$$-lan   a bridge `kl-lan` holding 192.168.77.2/24, the test resolver on
#              192.168.77.2:53 (UDP and TCP) answering the zone example.test
#              (example.test A 192.168.77.99; other names in the zone NXDOMAIN)
#              and REFUSED for everything else; it logs every question to
#              $KL_TEST_DIR/resolver.log ("NAME QTYPE RCODE" a line)
#   kl$$-nI    I = 0..N: a node; its `eth0` is a veth into kl-lan with
#              192.168.77.(10+I)/24, lo up, no default route: nothing leaves
#              the namespaces. n0 runs `kube-lite server` with its embedded
#              agent, n1..nN `kube-lite agent`s joined with a token to
#              https://192.168.77.10:6443.
#
# Every node has its own data and state directories ($KL_TEST_DIR/data and
# $KL_TEST_DIR/run for n0, $KL_TEST_DIR/nI and $KL_TEST_DIR/nI/run for the
# others), pod logs, cgroup ($KL_CG, $KL_CG-nI) and upstream resolver file
# ($KL_TEST_DIR/resolv.conf: nameserver 192.168.77.2). Ports need no choosing:
# each namespace is fresh, so the API server listens on 6443 and every node's
# streaming server on 10250, as on real machines.
#
# KL_NETNS_NODE_FLAGS (an array, set by the scenario file) adds flags to every
# node, e.g. --network-backend host-gw.
#
# Every node also has a mount and a UTS namespace of its own (its host name is
# the node's; the mounts of its pods do not show outside), held by a sleeping
# process for the node's whole life, so that an agent started again finds them.
# Nodes are entered with `nsenter` (not `ip netns exec`, which remounts /sys and
# hides the cgroup mounts); what runs in the background is started by nsenter
# itself, which execs it: $! is its pid, and its fd 3 (bats's) is closed so that a container left behind
# cannot hang bats. `kubectl` is a function running the real kubectl in n0 with
# the scenario's HOME and KUBECONFIG (https://127.0.0.1:6443 there).
#
# kl_netns_cluster_teardown stops what the harness started (by pid; SIGKILL and
# a failure for one still there 60 s after SIGTERM), does what kl_node_teardown
# does (containers, mounts, cgroups, the test directory), deletes the
# namespaces, and fails the scenario when anything of it is left.

KL_NETNS_LAN_PREFIX=192.168.77
KL_NETNS_RESOLVER=$KL_NETNS_LAN_PREFIX.2
KL_NETNS_SERVER_IP=$KL_NETNS_LAN_PREFIX.10
KL_NETNS_PORT=6443
# The external name the test resolver answers, and its address.
KL_NETNS_EXT_NAME=example.test
KL_NETNS_EXT_IP=$KL_NETNS_LAN_PREFIX.99
KL_KUBECTL=$(command -v kubectl)

kubectl() {
        nsenter --net="/run/netns/$KL_NETNS-n0" "$KL_KUBECTL" "$@"
}

# kl_netns_exec NODE CMD...: run CMD in the network namespace of NODE (n0, n1... or lan).
kl_netns_exec() {
        local node=$1
        shift
        nsenter --net="/run/netns/$KL_NETNS-$node" "$@"
}

# kl_pod_exec POD CMD...: run CMD in the first container of POD (kubectl exec).
kl_pod_exec() {
        local pod=$1
        shift
        kubectl exec "$pod" -- "$@"
}

# kl_netns_node_ip NODE: the LAN address of n0, n1...
kl_netns_node_ip() {
        echo "$KL_NETNS_LAN_PREFIX.$((10 + ${1#n}))"
}

# kl_netns_state_dir NODE: the node's --state-dir.
kl_netns_state_dir() {
        if [ "$1" = n0 ]; then
                echo "$KL_TEST_DIR/run"
        else
                echo "$KL_TEST_DIR/$1/run"
        fi
}

# The test resolver (python3, nothing to install): argv ADDR LOG READY.
kl_netns__resolver_py() {
        cat <<'EOF'
import socket, struct, sys, threading

ZONE = "example.test"
RECORDS = {("example.test", 1): socket.inet_aton("192.168.77.99")}
RCODES = {0: "NOERROR", 3: "NXDOMAIN", 5: "REFUSED"}
addr, log_path, ready_path = sys.argv[1], sys.argv[2], sys.argv[3]
log = open(log_path, "a", buffering=1)
lock = threading.Lock()


def answer(q):
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if flags & 0x8000 or qd != 1:
        return None
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        n = q[i]
        if n & 0xC0 or i + 1 + n > len(q):
            return None
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace").lower())
        i += 1 + n
    if i + 5 > len(q):
        return None
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    name = ".".join(labels)
    rd = flags & 0x0100
    an = b""
    if name == ZONE or name.endswith("." + ZONE):
        rdata = RECORDS.get((name, qtype))
        if rdata is not None:
            an = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
            rcode = 0
        elif any(k[0] == name for k in RECORDS):
            rcode = 0
        else:
            rcode = 3
        out_flags = 0x8000 | 0x0400 | rd | rcode
    else:
        rcode = 5
        out_flags = 0x8000 | rd | rcode
    with lock:
        log.write("%s %d %s\n" % (name, qtype, RCODES[rcode]))
    return struct.pack("!HHHHHH", qid, out_flags, 1, 1 if an else 0, 0, 0) + question + an


def serve_tcp(ts):
    while True:
        c, _ = ts.accept()
        with c:
            c.settimeout(5)
            try:
                buf = b""
                while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                    chunk = c.recv(65535)
                    if not chunk:
                        break
                    buf += chunk
                r = answer(buf[2:])
                if r:
                    c.sendall(struct.pack("!H", len(r)) + r)
            except OSError:
                pass


us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
us.bind((addr, 53))
ts = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ts.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ts.bind((addr, 53))
ts.listen(16)
threading.Thread(target=serve_tcp, args=(ts,), daemon=True).start()
open(ready_path, "w").close()
while True:
    q, peer = us.recvfrom(65535)
    r = answer(q)
    if r:
        us.sendto(r, peer)
EOF
}

# kl_netns__add NAME: a namespace of ours, lo up; remembered for the teardown.
kl_netns__add() {
        ip netns add "$KL_NETNS-$1" || return 1
        KL_NETNS_MADE+=("$KL_NETNS-$1")
        ip -n "$KL_NETNS-$1" link set lo up
}

# kl_netns__node_flags NODE: the node flags every node gets (after --node-name).
kl_netns__node_flags() {
        local st
        st=$(kl_netns_state_dir "$1")
        KL_NETNS_FLAGS=(--node-ip "$(kl_netns_node_ip "$1")" --state-dir "$st"
                --kubelet-arg "pod-logs-dir=$(dirname "$st")/logs" --kubelet-arg sync-frequency=2s)
        if [ "$1" = n0 ]; then
                KL_NETNS_FLAGS+=(--kubelet-arg "cgroup-root=$KL_CG")
        else
                KL_NETNS_FLAGS+=(--kubelet-arg "cgroup-root=$KL_CG-$1")
        fi
        # The node's upstream resolvers (k3s's --resolv-conf): the test resolver.
        KL_NETNS_FLAGS+=(--resolv-conf "$KL_TEST_DIR/resolv.conf")
        # KL_NETNS_NODE_FLAGS: more flags for every node (e.g. --network-backend host-gw).
        [ -z "${KL_NETNS_NODE_FLAGS+x}" ] || KL_NETNS_FLAGS+=("${KL_NETNS_NODE_FLAGS[@]}")
}

# kl_netns_server_start [SERVER FLAGS...]: start (again) the server with its agent (node
# n0) in n0 and wait until it is ready and the kubeconfig is written.
kl_netns_server_start() {
        kl_netns__node_flags n0
        kl_netns__spawn n0 "$KL_BIN" server --data-dir "$KL_TEST_DIR/data" \
                --https-listen-port "$KL_NETNS_PORT" --bind-address 0.0.0.0 \
                --tls-san "$KL_NETNS_SERVER_IP" --write-kubeconfig "$KUBECONFIG" \
                --default-local-storage-path "$KL_TEST_DIR/storage" --node-name n0 \
                "${KL_NETNS_FLAGS[@]}" "$@" >>"$KL_TEST_DIR/server.log" 2>&1 3>&- &
        KL_SERVER_PID=$!
        KL_PIDS+=("$KL_SERVER_PID")
        kl_wait_for 30 kl_netns_exec n0 curl -sfk "https://127.0.0.1:$KL_NETNS_PORT/readyz" -o /dev/null
        kl_wait_for 5 test -s "$KUBECONFIG"
}

# kl_netns_agent_start NODE: start (again) the agent of NODE (n1, n2...) in its namespace,
# joined with $KL_TOKEN (its pid in KL_AGENT_PID_<NODE>).
kl_netns_agent_start() {
        local name=$1 dir="$KL_TEST_DIR/$1" d known=0
        mkdir -p "$dir/agent/images"
        cp "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar" "$dir/agent/images/"
        kl_netns__node_flags "$name"
        kl_netns__spawn "$name" "$KL_BIN" agent join "https://$KL_NETNS_SERVER_IP:$KL_NETNS_PORT" \
                --token "$KL_TOKEN" --data-dir "$dir" --node-name "$name" "${KL_NETNS_FLAGS[@]}" \
                >>"$KL_TEST_DIR/agent-$name.log" 2>&1 3>&- &
        eval "KL_AGENT_PID_$name=$!"
        KL_PIDS+=("$!")
        for d in "${KL_NODE_DIRS[@]:-}"; do
                [ "$d" != "$dir" ] || known=1
        done
        [ "$known" -eq 1 ] || KL_NODE_DIRS+=("$dir")
}

# kl_netns__holder NODE: the process that holds NODE's own mount and UTS namespaces (its
# host name is the node's; its mounts do not show outside, outside mounts do show in it)
# for the node's whole life: an agent started again enters the same ones and finds the
# mounts of its pods where it left them, as on a real machine.
kl_netns__holder() {
        nsenter --net="/run/netns/$KL_NETNS-$1" unshare --mount --uts --propagation slave \
                sh -c 'hostname "$0" && exec sleep 2147483647' "$1" 3>&- &
        eval "KL_NETNS_HOLDER_$1=$!"
        KL_PIDS+=("$!")
        kl_wait_for 10 kl_netns__has_own_uts "$!"
}

kl_netns__has_own_uts() {
        [ "$(readlink "/proc/$1/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
}

# kl_netns__spawn NODE CMD... &: CMD in NODE's network, mount and UTS namespaces (in the
# current directory). Only run in the background: the subshell bash forks for it execs
# nsenter, which execs CMD, so $! is CMD's pid.
kl_netns__spawn() {
        local holder
        holder=$(eval "echo \$KL_NETNS_HOLDER_$1")
        shift
        exec nsenter --net="/proc/$holder/ns/net" --mount="/proc/$holder/ns/mnt" \
                --uts="/proc/$holder/ns/uts" --wd="$PWD" "$@"
}

# kl_netns__exited PID: PID, a child of ours, has exited (a zombie until waited for).
kl_netns__exited() {
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
        stat=${stat##*) }
        [ "${stat%% *}" = Z ]
}

# kl_netns__reap PID: wait for PID (already sent SIGTERM) at most 60 s, then SIGKILL it.
# Returns its exit status, or 255 when it had to be killed (a shutdown that hangs).
kl_netns__reap() {
        local pid=$1 rc=0 p
        local kept=()
        for p in "${KL_PIDS[@]:-}"; do
                [ -z "$p" ] || [ "$p" = "$pid" ] || kept+=("$p")
        done
        KL_PIDS=("${kept[@]:-}")
        if ! kl_wait_for 60 kl_netns__exited "$pid"; then
                echo "pid $pid did not exit within 60 s of SIGTERM: killed" >&2
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                return 255
        fi
        wait "$pid" 2>/dev/null || rc=$?
        return "$rc"
}

# kl_netns_server_stop: SIGTERM the server (and its agent, n0); fails unless it exits 0.
kl_netns_server_stop() {
        kill -TERM "$KL_SERVER_PID"
        kl_netns__reap "$KL_SERVER_PID"
}

# kl_netns_agent_stop NODE: SIGTERM the agent of NODE; fails unless it exits 0.
kl_netns_agent_stop() {
        local pid
        eval "pid=\$KL_AGENT_PID_$1"
        kill -TERM "$pid"
        kl_netns__reap "$pid"
}

# kl_netns_cluster_setup N [SERVER FLAGS...]: the LAN, the resolver, the server with its
# agent (n0) and N more agents (n1..nN), every node Ready.
kl_netns_cluster_setup() {
        local n=$1 i ns
        shift
        [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, cgroups, overlayfs)"
        [ -f "$KL_IMAGES/busybox.tar" ] || skip "no test images: busybox-static is not installed"
        kl_setup
        KL_NETNS=kl$$
        KL_NETNS_MADE=()
        KL_NODE_DIRS=()
        KL_CG="kl-e2e-net-$$-$BATS_TEST_NUMBER"
        KL_NODE=n0
        export HOME="$KL_TEST_DIR/home"
        mkdir -p "$HOME" "$KL_TEST_DIR/data/agent/images"
        export KUBECONFIG="$KL_TEST_DIR/kubeconfig.yaml"
        cp "$KL_IMAGES/busybox.tar" "$KL_IMAGES/httpd.tar" "$KL_TEST_DIR/data/agent/images/"

        kl_netns__add lan
        ip -n "$KL_NETNS-lan" link add kl-lan type bridge
        ip -n "$KL_NETNS-lan" addr add "$KL_NETNS_RESOLVER/24" dev kl-lan
        ip -n "$KL_NETNS-lan" link set kl-lan up
        for i in $(seq 0 "$n"); do
                ns="$KL_NETNS-n$i"
                kl_netns__add "n$i"
                ip -n "$KL_NETNS-lan" link add "n$i" type veth peer name eth0 netns "$ns"
                ip -n "$KL_NETNS-lan" link set "n$i" master kl-lan up
                ip -n "$ns" addr add "$(kl_netns_node_ip "n$i")/24" dev eth0
                ip -n "$ns" link set eth0 up
                kl_netns__holder "n$i"
        done

        kl_netns__resolver_py >"$KL_TEST_DIR/resolver.py"
        echo "nameserver $KL_NETNS_RESOLVER" >"$KL_TEST_DIR/resolv.conf"
        nsenter --net="/run/netns/$KL_NETNS-lan" "$(python3 -c 'import sys; print(sys.executable)')" \
                "$KL_TEST_DIR/resolver.py" "$KL_NETNS_RESOLVER" "$KL_TEST_DIR/resolver.log" \
                "$KL_TEST_DIR/resolver.ready" >>"$KL_TEST_DIR/resolver.err" 2>&1 3>&- &
        KL_PIDS+=("$!")
        kl_wait_for 10 test -e "$KL_TEST_DIR/resolver.ready"

        kl_netns_server_start "$@"
        kl_wait_for 30 kl_node_ready n0 True
        kl_wait_for 30 kubectl get serviceaccount default -o name
        KL_TOKEN=$(kl_netns_exec n0 "$KL_BIN" token create --kubeconfig "$KUBECONFIG" | tail -n 1)
        for i in $(seq 1 "$n"); do
                kl_netns_agent_start "n$i"
        done
        for i in $(seq 1 "$n"); do
                kl_wait_for 30 kl_node_ready "n$i" True
        done
}

# kl_netns_leftovers: print whatever of the scenario is still there (namespaces, mounts
# under its directory, its cgroups, processes it started); nothing when all is gone.
kl_netns_leftovers() {
        local ns pid ctrl path d m
        for ns in "${KL_NETNS_MADE[@]:-}"; do
                [ -z "$ns" ] || [ ! -e "/run/netns/$ns" ] || echo "namespace $ns"
        done
        if [ -n "${KL_TEST_DIR:-}" ]; then
                awk -v d="$KL_TEST_DIR" 'index($5, d) == 1 { print "mount " $5 }' /proc/self/mountinfo
                [ ! -e "$KL_TEST_DIR" ] || echo "directory $KL_TEST_DIR"
        fi
        for pid in "${KL_NETNS_STARTED[@]:-}"; do
                [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || echo "process $pid"
        done
        if [ -n "${KL_CG:-}" ]; then
                while IFS=: read -r _ ctrl path; do
                        ctrl=${ctrl#name=}
                        [ -n "$ctrl" ] || ctrl=unified
                        for d in ${ctrl//,/ }; do
                                for m in "/sys/fs/cgroup/$d${path%/}/$KL_CG"*; do
                                        [ ! -d "$m" ] || echo "cgroup $m"
                                done
                        done
                done </proc/self/cgroup
        fi
}

kl_netns_cluster_teardown() {
        local ns left pid hung=""
        # Processes (the resolver, the server, the agents): every one told at once, each
        # given 60 s (an exit status is not looked at: LeakSanitizer's would fail the
        # scenario twice; a shutdown that hangs does).
        KL_NETNS_STARTED=("${KL_PIDS[@]:-}")
        for pid in "${KL_NETNS_STARTED[@]:-}"; do
                [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
        done
        for pid in "${KL_NETNS_STARTED[@]:-}"; do
                [ -n "$pid" ] || continue
                kl_netns__reap "$pid" || [ "$?" -ne 255 ] || hung="$hung
process $pid did not stop on SIGTERM"
        done
        # Containers, mounts, cgroups, the directory.
        kl_node_teardown
        for ns in "${KL_NETNS_MADE[@]:-}"; do
                [ -z "$ns" ] || ip netns del "$ns" 2>/dev/null || true
        done
        left=$(
                kl_netns_leftovers
                [ -z "$hung" ] || echo "${hung#?}"
        )
        [ -z "$left" ] || {
                printf 'left behind by the scenario:\n%s\n' "$left" >&2
                return 1
        }
}
