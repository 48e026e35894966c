#!/usr/bin/env bash
# chatwarden benchmarks. One command per benchmark; results go to stdout and bench/results/.
#
#   bash bench/run.sh whatsapp [MESSAGES]   WhatsApp parse throughput and memory vs the npm
#                                          package whatsapp-chat-parser (default 1,000,000 messages;
#                                          env BENCH_RUNS: alternating runs per tool, default 3)
#   bash bench/run.sh archive [MESSAGES]    sealing + logging cost at ingest vs a plain SQLite store,
#                                          and verify speed (default 1,000,000 messages)
#   bash bench/run.sh policy [MESSAGES]     200-rule policy evaluation per message, as a share of
#                                          ingest time (inspection + sealed archive; default 200,000)
#   bash bench/run.sh connectors [MESSAGES] every connector's read throughput and peak memory on a
#                                          generated export per format (default 200,000 messages each)
#   bash bench/dlp/run.sh                  inspection accuracy and speed vs Microsoft Presidio
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-whatsapp}
mkdir -p target/bench bench/results

machine() {
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
  echo "rustc: $(rustc --version); node: $(node --version)"
}

# Runs a command under GNU time; prints "wall_seconds peak_rss_kib" then the command's stdout line.
measure() {
  /usr/bin/time -f '%e %M' -o target/bench/time.txt "$@" > target/bench/out.txt
  cat target/bench/time.txt
  tail -1 target/bench/out.txt
}

case "$what" in
whatsapp)
  total=${2:-1000000}
  command -v /usr/bin/time >/dev/null || apt-get install -y time
  cargo build --release -p chatwarden-bench --quiet
  (cd bench/whatsapp-node && npm ci --silent --no-audit --no-fund)
  bin=target/release/chatwarden-bench
  out=bench/results/whatsapp.md
  {
    echo "## WhatsApp parse: chatwarden vs whatsapp-chat-parser $(node -p "require('./bench/whatsapp-node/node_modules/whatsapp-chat-parser/package.json').version")"
    echo
    machine | sed 's/^/- /'
    echo "- command: bash bench/run.sh whatsapp $total"
    echo "- each tool run ${BENCH_RUNS:-3} times, alternating; median run shown, (fastest–slowest) beside it; peak RSS the largest"
    echo
    echo "| messages | file MB | tool | parse s | messages/s | MB/s | peak RSS MB | speed ratio |"
    echo "|---:|---:|---|---:|---:|---:|---:|---:|"
  } > "$out"
  runs=${BENCH_RUNS:-3}
  for n in $((total / 4)) "$total"; do
    file=target/bench/whatsapp-$n.txt
    [ -f "$file" ] || "$bin" gen-whatsapp "$n" "$file"
    mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b / 1e6}')
    # The two tools alternate, $runs times each; the table shows each one's median run.
    : > target/bench/runs.txt
    for _ in $(seq "$runs"); do
      read -r _ rss < <(measure "$bin" parse-whatsapp "$file" | head -1)
      echo "cw $rss $(tail -1 target/bench/out.txt)" >> target/bench/runs.txt
      read -r _ rss < <(measure node bench/whatsapp-node/parse.mjs "$file" | head -1)
      echo "js $rss $(tail -1 target/bench/out.txt)" >> target/bench/runs.txt
    done
    python3 - "$n" "$mb" target/bench/runs.txt >> "$out" <<'PY'
import json, statistics, sys
n, mb = int(sys.argv[1]), float(sys.argv[2])
runs = {"cw": [], "js": []}
for line in open(sys.argv[3]):
    tool, rss, js = line.split(" ", 2)
    runs[tool].append((json.loads(js), int(rss)))
def median(tool):
    rs = sorted(runs[tool], key=lambda r: r[0]["parse_seconds"])
    r, _ = rs[len(rs) // 2]
    return r, max(rss for _, rss in rs), [x["parse_seconds"] for x, _ in rs]
cw, cw_rss, cw_all = median("cw")
js, js_rss, js_all = median("js")
ratio = js["parse_seconds"] / cw["parse_seconds"]
for name, r, rss, every, extra in (("chatwarden (streaming, both passes, file I/O included)", cw, cw_rss, cw_all, f"**{ratio:.1f}×**"),
                                   ("whatsapp-chat-parser (parseString, file read excluded)", js, js_rss, js_all, "1.0×")):
    s = r["parse_seconds"]
    spread = "–".join(f"{x:.2f}" for x in (every[0], every[-1]))
    print(f"| {n:,} | {mb:.1f} | {name} ({r['messages']:,} parsed) | {s:.2f} ({spread}) | {r['messages']/s:,.0f} | {mb/s:.1f} | {rss/1024:.0f} | {extra} |")
PY
  done
  cat "$out"
  ;;
archive)
  total=${2:-1000000}
  cargo build --release -p chatwarden-bench --quiet
  bin=target/release/chatwarden-bench
  file=target/bench/whatsapp-$total.txt
  [ -f "$file" ] || "$bin" gen-whatsapp "$total" "$file"
  json=$("$bin" archive "$file")
  out=bench/results/archive.md
  {
    echo "## Archive: sealing + logging cost at ingest, and verify speed"
    echo
    machine | sed 's/^/- /'
    echo "- command: bash bench/run.sh archive $total"
    echo
    python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n = r["messages"]
print("| messages | plain SQLite ingest s | sealed + logged ingest s | sealing + logging share of ingest | verify s | verify records/s |")
print("|---:|---:|---:|---:|---:|---:|")
print(f"| {n:,} | {r['plain_seconds']:.2f} | {r['sealed_seconds']:.2f} | **{100*r['overhead_share']:.0f}%** | {r['verify_seconds']:.2f} | {r['verify_records_per_second']:,.0f} |")
PY
  } > "$out"
  cat "$out"
  ;;
policy)
  total=${2:-200000}
  cargo build --release -p chatwarden-bench --quiet
  bin=target/release/chatwarden-bench
  file=target/bench/whatsapp-$total.txt
  [ -f "$file" ] || "$bin" gen-whatsapp "$total" "$file"
  json=$("$bin" policy "$file")
  out=bench/results/policy.md
  {
    echo "## Policy: evaluation cost with 200 rules, as a share of ingest"
    echo
    machine | sed 's/^/- /'
    echo "- command: bash bench/run.sh policy $total"
    echo
    python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n = r["messages"]
print("| messages | rules | findings | ingest s (inspect + sealed archive) | policy s | µs / message | policy share of ingest | alerts | store alerts s |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {n:,} | {r['rules']} | {r['findings']:,} | {r['ingest_seconds']:.2f} | {r['policy_seconds']:.2f} | {r['policy_us_per_message']:.2f} | **{100*r['policy_share']:.1f}%** | {r['alerts']:,} | {r['alerts_seconds']:.2f} |")
PY
  } > "$out"
  cat "$out"
  ;;
connectors)
  total=${2:-200000}
  cargo build --release -p chatwarden-bench --quiet
  json=$(target/release/chatwarden-bench connectors "$total")
  out=bench/results/connectors.md
  {
    echo "## Connectors: read throughput per format"
    echo
    machine | sed 's/^/- /'
    echo "- command: bash bench/run.sh connectors $total"
    echo
    python3 - "$json" <<'PY'
import json, sys
rows = json.loads(sys.argv[1])
print("| format | conversations | messages | export MB | read s | messages/s | MB/s | peak RSS growth MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    g = r["peak_rss_growth_mb"]
    print(f"| {r['format']} | {r['conversations']} | {r['messages']:,} | {r['export_bytes']/2**20:.1f} | {r['seconds']:.2f} | {r['messages_per_second']:,.0f} | {r['mb_per_second']:.1f} | {'n/a' if g is None else f'{g:.1f}'} |")
PY
  } > "$out"
  cat "$out"
  ;;
*)
  echo "unknown benchmark: $what (try: whatsapp, archive, policy)" >&2
  exit 2
  ;;
esac
