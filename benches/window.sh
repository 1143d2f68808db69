#!/usr/bin/env bash
# The real window, in release, under Xvfb, with demo data of 10,000 patients (about
# 13,000 plans): time from process start to the first frame painted, time until the
# list has loaded in the background, and the peak memory (RSS) of the process.
#
# Targets: first frame under 500 ms; under 200 MB RSS with every plan loaded.
#
# Usage: benches/window.sh [RUNS]   (default 5 runs with the index cache present and 5
# without it). Needs xvfb (apt-get install xvfb). Each run opens the window as a
# physician would (REGEN_PLANNER_LOG=regen_planner=info makes it log when its first
# frame was painted and when the list had loaded), waits until the list has loaded
# and one more second, then closes it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

cargo build --release --quiet
bin="$PWD/target/release/regen-planner"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/runtime" && chmod 700 "$scratch/runtime"
export XDG_RUNTIME_DIR="$scratch/runtime"

"$bin" demo-data --patients 10000 --seed 6 --data-dir "$scratch/data" --config-dir "$scratch/config"

# One X server for every run, so that its start-up is not counted.
# shellcheck disable=SC2016
xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  set -euo pipefail
  bin=$1 scratch=$2 runs=$3
  for cache in present missing; do
    for run in $(seq "$runs"); do
      if [ "$cache" = missing ]; then rm -f "$scratch/data/index.json"; fi
      log="$scratch/log-$cache-$run"
      REGEN_PLANNER_LOG=regen_planner=info /usr/bin/time -f "peak RSS %M KB" \
        "$bin" --data-dir "$scratch/data" --config-dir "$scratch/config" 2> "$log" &
      app=$!
      for _ in $(seq 600); do
        if grep -q "loaded in" "$log"; then break; fi
        sleep 0.1
      done
      sleep 1
      child=$(pgrep -P "$app" || true)
      if [ -n "$child" ]; then kill -TERM "$child"; fi
      wait "$app" || true
      first=$(grep -o "first frame painted [0-9.]* ms" "$log" | grep -o "[0-9.]*" || echo "?")
      loaded=$(grep -o "loaded in [0-9]* ms" "$log" | grep -o "[0-9]*" || echo "?")
      rss=$(grep -o "peak RSS [0-9]* KB" "$log" | grep -o "[0-9]*" || echo 0)
      printf "index cache %-7s run %s: first frame %6s ms, list loaded %5s ms, peak RSS %4s MB\n" \
        "$cache" "$run" "$first" "$loaded" "$((rss / 1024))"
    done
  done
' _ "$bin" "$scratch" "$runs"
