#!/usr/bin/env bash
# Whole-process throughput of the pipe filters on a 200 MB log, side by side in one
# interleaved run (abrun.py): `incident extract`, `incident extract --json`,
# `incident redact`, against `cat` and `wc -l` as floors.
# Usage: benches/filters.sh      Env: WORK [/tmp/incident-filters] MB [200] RUNS [5]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-/tmp/incident-filters}
MB=${MB:-200}
mkdir -p "$WORK"
if [ -z "${INCIDENT:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
  INCIDENT=$ROOT/target/release/incident
fi
log=$WORK/log-$MB.txt
if [ ! -f "$log" ]; then
  # A k3s/kubelet-style log: mostly ordinary lines, some errors with endpoints,
  # some addresses, a token now and then (deterministic).
  python3 - "$log" "$MB" <<'PY'
import random, sys
path, mb = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
msgs = [
    'I1005 08:41:{s:02d}.318442    1187 flannel.go:108] Using interface with name wlp5s0 and address 192.168.1.{a}',
    'level=info msg="request completed" status=200 duration_ms={ms} route=/v1/charges trace_id={h}',
    'E1005 08:41:{s:02d}.402117    1187 kubelet_node_status.go:540] "Error updating node status" err="Get \\"https://127.0.0.1:6443/api/v1/nodes/leveling-pc\\": context deadline exceeded"',
    'dial tcp 10.43.{a}.{b}:443: connect: connection refused',
    '[INFO] 10.42.0.{a}:{p} - {b} "A IN ollama.ollama.svc.cluster.local. udp 50 false 512" NXDOMAIN qr,aa,rd 143 0.000{ms}s',
    'level=warn msg="retrying" attempt={b} backoff_ms={ms} upstream=10.42.{a}.{b}:8080',
    'curl -H "Authorization: Bearer {tok}" https://api.internal/v1/status',
    'GET /healthz 200 {ms}ms user-agent="kube-probe/1.30"',
]
weights = [20, 40, 5, 5, 10, 10, 1, 20]
out = open(path, 'w')
size, target = 0, mb * 1_000_000
while size < target:
    m = r.choices(msgs, weights)[0]
    line = m.format(s=r.randint(0, 59), a=r.randint(1, 254), b=r.randint(1, 254), p=r.randint(1024, 65535),
                    ms=r.randint(1, 999), h='%032x' % r.getrandbits(128), tok='%040x' % r.getrandbits(160)) + '\n'
    out.write(line)
    size += len(line)
PY
fi
bytes=$(stat -c %s "$log")
python3 "$SHARED/bench/abrun.py" -n "${RUNS:-5}" --warmup 1 --label "filters, $MB MB log" --bytes "$bytes" \
  --logdir "$WORK/logs" --baseline cat \
  --bench cat "sh -c 'cat $log > /dev/null'" \
  --bench wc-l "wc -l $log" \
  --bench extract "$INCIDENT extract $log" \
  --bench extract-json "$INCIDENT extract --json $log" \
  --bench redact "sh -c '$INCIDENT redact $log > /dev/null'"
