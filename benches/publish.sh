#!/usr/bin/env bash
# `incident publish` against Hugo (lean) and the pulldown-cmark floor, side by side in one
# interleaved run per size (../shared/bench/abrun.py), plus a re-publish after one note
# changed, the floor for the one-file-per-step layout (benches/stepsfloor) and a re-publish
# with nothing changed and its floor (stepsfloor --stat: every file's size and time looked
# at on two cores and nothing else, the least a re-publish that notices an edit in place
# does). Usage (from the repository root):
#
#   benches/publish.sh                 # N = 1000 and 5000
#   SIZES=1000 RUNS=3 benches/publish.sh
#
# Needs: python3, cargo, hugo (apt-get install hugo). Scratch space: $WORK (default
# /tmp/incident-publish-bench, ~1.5 GB for both sizes). Results: $WORK/results/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
WORK=${WORK:-/tmp/incident-publish-bench}
SIZES=${SIZES:-"1000 5000"}
RESULTS=$WORK/results
mkdir -p "$WORK" "$RESULTS"

command -v hugo >/dev/null || { echo "hugo is missing: apt-get install -y hugo" >&2; exit 1; }
INCIDENT=${INCIDENT:-}
if [ -z "$INCIDENT" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
  INCIDENT=${CARGO_TARGET_DIR:-$ROOT/target}/release/incident
fi
FLOORS=$WORK/floors-target/release
if [ ! -x "$FLOORS/mdfloor" ]; then
  rm -rf "$WORK/floors-src" && cp -r "$BENCH/floors" "$WORK/floors-src" && chmod -R u+w "$WORK/floors-src"
  (cd "$WORK/floors-src" && CARGO_TARGET_DIR=$WORK/floors-target cargo build --release --quiet)
fi
# The same floor for the one-file-per-step layout (benches/stepsfloor), without parsing each
# step's frontmatter, with serde-saphyr, and with only the YAML parser's events (granit-parser,
# the parser under serde-saphyr): what the vault format itself costs before `incident` does
# anything of its own.
STEPSFLOOR=$WORK/stepsfloor-target/release/stepsfloor
(cd "$ROOT/benches/stepsfloor" && CARGO_TARGET_DIR=$WORK/stepsfloor-target cargo build --release --quiet --features yaml)

for n in $SIZES; do
  c=$WORK/c$n o=$WORK/out$n
  if [ ! -f "$c/MANIFEST.txt" ]; then
    rm -rf "$c"
    python3 "$BENCH/gen_vault.py" -n "$n" -o "$c" --layout all --manifest >/dev/null
    cp -r "$BENCH/skel/hugo/." "$c/hugo/" && chmod -R u+w "$c/hugo"
  fi
  mkdir -p "$o"
  bytes=$(sed -n 's/^vault_bytes=\([0-9]*\).*/\1/p' "$c/MANIFEST.txt")
  v=$c/steps-vault
  # One note of one incident in the middle of the vault: the re-publish must notice it.
  note=$(find "$v/incidents" -path '*/steps/*.md' | sort | sed -n "$((n * 20))p")
  pub="$INCIDENT publish -q --include-open --vault $v"
  python3 "$BENCH/abrun.py" -n "${RUNS:-3}" --warmup 1 --label "N=$n" --pages "$n" --bytes "$bytes" \
    --json "$RESULTS/publish.jsonl" --logdir "$RESULTS/logs-$n" --baseline floor-2t \
    --bench incident "$pub --out $o/incident" "rm -rf $o/incident $v/.incident/site-cache*" \
    --bench incident-1-note "$pub --out $o/incr" "$pub --out $o/incr >/dev/null; printf 'one more line\n' >> $note" \
    --bench hugo-lean "hugo -s $c/hugo --config $c/hugo/lean.toml -d $o/hugo-lean --quiet" "rm -rf $o/hugo-lean" \
    --bench incident-no-change "$pub --out $o/same" "$pub --out $o/same >/dev/null" \
    --bench floor-2t "$FLOORS/mdfloor write $o/floor2 --jobs 2 $c/vault" "rm -rf $o/floor2" \
    --bench steps-floor "$STEPSFLOOR $o/steps --jobs 2 $v" "rm -rf $o/steps" \
    --bench steps-floor-yaml "$STEPSFLOOR $o/steps-yaml --jobs 2 --yaml $v" "rm -rf $o/steps-yaml" \
    --bench steps-floor-events "$STEPSFLOOR $o/steps-events --jobs 2 --yaml-events $v" "rm -rf $o/steps-events" \
    --bench stat-floor "$STEPSFLOOR --stat --jobs 2 $v" \
    | tee "$RESULTS/publish-$n.md"
  echo "site: $(find "$o/incident" -type f | wc -l) files, $(du -sm "$o/incident" | cut -f1) MB" | tee -a "$RESULTS/publish-$n.md"
done
