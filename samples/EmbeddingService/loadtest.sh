#!/usr/bin/env bash
# Load test of the embedding service on loopback: publish it, start it, drive POST /embed with wrk (Debian's, installed
# here if missing) for DURATION seconds from CONNECTIONS connections, sample the server's resident memory every second,
# and print requests per second, p50/p99 latency, errors and memory. Exit 1 on any error or non-200 answer, or when the
# resident memory grows by more than GROWTH_MB between the end of the warm-up and the end of the run.
#   samples/EmbeddingService/loadtest.sh [DURATION=60] [CONNECTIONS=8] [OUT_DIR=loadtest-results]
set -euo pipefail
cd "$(dirname "$0")"
duration=${1:-60}
connections=${2:-8}
out=${3:-loadtest-results}
warmup=$((duration < 20 ? duration / 2 : 10))
growth_mb=${GROWTH_MB:-24}
port=${PORT:-5187}
mkdir -p "$out"

if ! command -v wrk >/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

dotnet publish EmbeddingService -c Release -o "$out/app" ${SIMDCHECKPOINT_VERSION:+-p:SimdCheckpointVersion=$SIMDCHECKPOINT_VERSION} >"$out/publish.log" 2>&1 \
    || { cat "$out/publish.log" >&2; exit 1; }
"$out/app/EmbeddingService" --urls "http://127.0.0.1:$port" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
healthy() {  # GET /health answered 200 (bash's /dev/tcp: no curl needed)
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    local status
    status=$(head -n 1 <&3)
    exec 3>&-
    [[ "$status" == *" 200 "* ]]
}
for _ in $(seq 150); do
    healthy && break
    sleep 0.2
done
healthy || { echo "loadtest: the service did not start" >&2; cat "$out/server.log" >&2; exit 1; }

# Resident memory (VmRSS, kB) once a second, from the start of the run.
(
    t=0
    while kill -0 $server 2>/dev/null; do
        echo "$t $(awk '/VmRSS/ {print $2}' /proc/$server/status 2>/dev/null)"
        sleep 1
        t=$((t + 1))
    done
) >"$out/rss.log" &
sampler=$!

wrk -t2 -c"$connections" -d"${duration}s" --latency -s loadtest.lua "http://127.0.0.1:$port/embed" | tee "$out/wrk.txt"
kill $sampler 2>/dev/null || true
hwm=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

rss_warm=$(awk -v w=$warmup '$1 == w {print $2}' "$out/rss.log")
rss_end=$(awk 'NF == 2 {v = $2} END {print v}' "$out/rss.log")
rss_max=$(awk 'NF == 2 && $2 > m {m = $2} END {print m}' "$out/rss.log")
grep -E '^loadtest:' "$out/wrk.txt" >"$out/summary.txt"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    echo "loadtest: ${duration} s, $connections connections, 2 wrk threads, on $(nproc) cores ($cpu), server and wrk on the same machine"
    echo "loadtest: resident memory at ${warmup} s $((rss_warm / 1024)) MiB, at the end $((rss_end / 1024)) MiB, highest sample $((rss_max / 1024)) MiB, VmHWM $((hwm / 1024)) MiB"
} >>"$out/summary.txt"
cat "$out/summary.txt"

errors=$(sed -n 's/^loadtest: requests [0-9]*, errors connect \([0-9]*\) read \([0-9]*\) write \([0-9]*\) timeout \([0-9]*\) status \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$out/wrk.txt" | awk '{print $1 + $2 + $3 + $4 + $5}')
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$out/wrk.txt")
if [ -z "$errors" ] || [ "$errors" -ne 0 ] || [ -n "$non2xx" ]; then
    echo "loadtest: FAILED: errors ${errors:-unknown}, non-2xx ${non2xx:-0}" >&2
    exit 1
fi
if [ $((rss_end - rss_warm)) -gt $((growth_mb * 1024)) ]; then
    echo "loadtest: FAILED: resident memory grew by $(((rss_end - rss_warm) / 1024)) MiB after the warm-up (limit ${growth_mb} MiB)" >&2
    exit 1
fi
echo "loadtest: passed (no error, no non-200 answer, memory flat within ${growth_mb} MiB after ${warmup} s)"
