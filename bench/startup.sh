#!/usr/bin/env bash
# Start-up to ready and idle memory of the application as operators run it: the packaged jar, the repository's
# application.properties (every default job scheduled), the embedded database, fresh data dir.
# Usage: [CDS=1] [JAVA_OPTS=...] bench/startup.sh [runs]   (builds the jar if missing; prints each run and the median)
# The image runs with the options of bench/jvm-options but for the heap (MaxRAMPercentage=75, no direct-memory cap)
# and a class-data archive (CDS=1 here).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -f target/nomad-camel-jobs.jar ] || mvn -B -q -DskipTests package
port=$((20000 + RANDOM % 20000)); mport=$((port + 1))
if [ "${CDS:-0}" = 1 ]; then
  # a training run writes the class-data archive the image builds the same way (see Dockerfile)
  data=$(mktemp -d); archive=target/nomad-camel-jobs.jsa; rm -f "$archive"
  SERVER_PORT=$port MANAGEMENT_PORT=$mport DATA_DIR=$data java -XX:ArchiveClassesAtExit=$archive \
    -jar target/nomad-camel-jobs.jar > "$data/app.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$mport/observe/health/ready" >/dev/null 2>&1; do sleep 0.1; done
  kill $pid; wait $pid 2>/dev/null || true; rm -rf "$data"
  JAVA_OPTS="-XX:SharedArchiveFile=$archive ${JAVA_OPTS:-}"
fi
times=(); rss=()
for i in $(seq 1 "$runs"); do
  data=$(mktemp -d)
  start=$(date +%s%N)
  SERVER_PORT=$port MANAGEMENT_PORT=$mport DATA_DIR=$data ROUTES_RELOAD_ENABLED=false \
    java ${JAVA_OPTS:-} -jar target/nomad-camel-jobs.jar > "$data/app.log" 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$mport/observe/health/ready" >/dev/null 2>&1; do
    kill -0 $pid 2>/dev/null || { echo "the application exited:"; tail -20 "$data/app.log"; exit 1; }
    sleep 0.02
  done
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  jobs=$( (curl -fs "http://127.0.0.1:$port/api/jobs" | grep -o "\"id\"" || true) | wc -l)
  sleep 20   # idle, every default job scheduled
  kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
  echo "run $i: ready in ${ready_ms} ms, idle RSS $((kb / 1024)) MiB, jobs scheduled: $jobs"
  times+=("$ready_ms"); rss+=("$((kb / 1024))")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median: ready in $(median "${times[@]}") ms, idle RSS $(median "${rss[@]}") MiB (targets: 3000 ms, 200 MiB)"
