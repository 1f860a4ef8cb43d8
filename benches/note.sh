#!/usr/bin/env bash
# `incident note` cost, measured side by side in one interleaved run (abrun.py):
#   - on an empty vault and on a 5,000-incident vault (O(1) in vault size: ratio ~1.0)
#   - against the floor: a minimal program that appends one line and fsyncs
#     (../shared/bench/floors noteappend), and /bin/true (process spawn).
# Usage: benches/note.sh            (builds target/release/incident if INCIDENT is unset)
# Env: WORK [/tmp/incident-bench] N [5000] RUNS [40]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-/tmp/incident-bench}
N=${N:-5000}
RUNS=${RUNS:-40}
mkdir -p "$WORK"

if [ -z "${INCIDENT:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
  INCIDENT=$ROOT/target/release/incident
fi
FLOOR_TARGET=$WORK/floors-target
if [ ! -x "$FLOOR_TARGET/release/noteappend" ]; then
  rm -rf "$WORK/floors-src" && cp -r "$SHARED/bench/floors" "$WORK/floors-src"
  (cd "$WORK/floors-src" && CARGO_TARGET_DIR=$FLOOR_TARGET cargo build --release --quiet --bin noteappend)
fi

corpus=$WORK/c$N
if [ ! -f "$corpus/MANIFEST.txt" ]; then
  rm -rf "$corpus"
  python3 "$SHARED/bench/gen_vault.py" -n "$N" -o "$corpus" --layout steps --manifest >/dev/null
fi
big=$corpus/steps-vault
empty=$WORK/empty-vault
rm -rf "$empty" && "$INCIDENT" -q init "$empty"
for v in "$empty" "$big"; do
  "$INCIDENT" -q --vault "$v" start "bench: note latency" >/dev/null
done
floor_file=$WORK/floor-note.md
: > "$floor_file"
text="rolled back payments-api to v1.42.3, error rate dropping"

python3 "$SHARED/bench/abrun.py" -n "$RUNS" --warmup 3 --label "incident note, N=$N" \
  --logdir "$WORK/logs-note" --baseline floor-append-fsync \
  --bench spawn-true /bin/true \
  --bench floor-append-fsync "$FLOOR_TARGET/release/noteappend $floor_file '$text'" \
  --bench note-empty-vault "$INCIDENT -q --vault $empty note '$text'" \
  --bench note-vault-$N "$INCIDENT -q --vault $big note '$text'"
