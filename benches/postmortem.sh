#!/usr/bin/env bash
# Times `incident postmortem` on an incident of N steps (default 5,000), whole process,
# and its peak memory; then again with M more incidents of the same size in the vault,
# to show memory follows the incident, not the vault.
#
#   benches/postmortem.sh [STEPS] [OTHER_INCIDENTS]
#   BIN=target/release/incident benches/postmortem.sh      # the binary to time
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-5000}
OTHERS=${2:-4}
BIN=${BIN:-target/release/incident}
[ -x "$BIN" ] || { echo "build it first: cargo build --release (or set BIN)" >&2; exit 2; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
export INCIDENT_NOW=2025-10-06T12:00:00-05:00 INCIDENT_AUTHOR=bench INCIDENT_HOST=bench TZ=UTC

# Writes an incident folder with $STEPS steps: outputs (a third, each with the facts of
# 12 pods, as extraction writes them),
# notes, and the milestones, options and decision of a real incident.
make_incident() {
    local dir="$1/incidents/$2"
    mkdir -p "$dir/steps"
    printf -- '---\nid: %s\ntitle: "Benchmark: %s steps"\nseverity: sev2\nservices:\n- k3s\nat: "2025-10-05T00:00:00-05:00"\n---\n\nA generated incident.\n' "$2" "$STEPS" > "$dir/incident.md"
    awk -v n="$STEPS" -v dir="$dir/steps" 'BEGIN {
        split("detected diagnosed mitigation-start recovered permanent-fix-start permanent-fix", ms, " ")
        for (i = 0; i < n; i++) {
            s = i * 15; t = sprintf("2025-10-05T%02d:%02d:%02d-05:00", int(s / 3600) % 24, int(s / 60) % 60, s % 60)
            stamp = sprintf("20251005T%02d%02d%02dZ", (int(s / 3600) + 5) % 24, int(s / 60) % 60, s % 60)
            m = int(i * 6 / n) + 1
            if (i % (int(n / 6)) == 0 && m <= 6) { kind = "milestone" }
            else if (i % 3 == 0) { kind = "capture" } else if (i % 97 == 0) { kind = "option" } else { kind = "note" }
            id = sprintf("%s-%s-b%05d", stamp, kind, i)
            f = dir "/" id ".md"
            printf "---\nid: %s\nkind: %s\nat: \"%s\"\nrecorded_at: \"%s\"\nauthor: bench\nhost: bench\n", id, kind, t, t > f
            if (kind == "milestone") { printf "milestone: %s\n---\n\n%s\n", ms[m], ms[m] > f }
            else if (kind == "option") { printf "title: Option %d\npros:\n- fast\ncons:\n- risky\n---\n\n### Option: Option %d\n", i, i > f }
            else if (kind == "capture") {
                cmd = (i % 2 == 0) ? "kubectl get pods -A" : "sudo systemctl restart k3s"
                printf "command: %s\nexit_code: 0\noutput_bytes: 900\nfacts:\n  pods:\n", cmd > f
                for (l = 0; l < 12; l++) printf "  - namespace: kube-system\n    name: coredns-7b8c7b8d4-x%04d\n    ready: 0/1\n    status: CrashLoopBackOff\n    restarts: %d\n    last_restart_ago: null\n    age: 3d\n", l, i > f
                printf "  restarts_total: %d\n---\n\n```console\n$ %s\n", i * 12, cmd > f
                for (l = 0; l < 12; l++) printf "kube-system   coredns-7b8c7b8d4-x%04d   0/1   CrashLoopBackOff   %d   3d\n", l, i > f
                printf "```\n\nexit 0\n" > f
            } else { printf "---\n\nNote %d: checked the pods again; CoreDNS still loops on 127.0.0.1:53.\n", i > f }
            close(f)
        }
    }'
}

"$BIN" init -q "$WORK/vault"
make_incident "$WORK/vault" bench
measure() {
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$BIN" --vault "$WORK/vault" postmortem bench -q
        read -r secs user sys kib < "$WORK/time"
        # The fastest of three: the machine is shared, and the others only add waiting.
        if [ -z "$best" ] || awk -v a="$secs" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best="$secs $user $sys $kib"
        fi
    done
    read -r secs user sys kib <<< "$best"
    echo "$1: ${secs}s elapsed (cpu: user ${user}s, sys ${sys}s), peak RSS ${kib} KiB"
}
"$BIN" --vault "$WORK/vault" postmortem bench -q   # warm the page cache
measure "postmortem of $STEPS steps"
for i in $(seq 1 "$OTHERS"); do make_incident "$WORK/vault" "other-$i"; done
measure "same, with $OTHERS more incidents of $STEPS steps in the vault"
wc -c < "$WORK/vault/incidents/bench/postmortem.md" | awk '{printf "postmortem.md: %d bytes\n", $1}'
