#!/usr/bin/env bash
# Benchmark of the restore drill (see bench/README.md): 4 databases of ~200 MiB backed up once, then the drill
# (concurrency 1, source local and s3) versus pg_restore by hand into fresh databases, alternating in the same run.
# Starts its own PostgreSQL 15 and S3Proxy; needs ~3 GB of free disk under /tmp and takes 10-20 minutes on 2 cores.
# Usage: bench/drill.sh [-Dbench.rounds=5] [-Dbench.warmup=1] [-Dbench.rows=1130000] ...   (MVN_ARGS=-o for an offline Maven)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_ARGS:-} test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
exec java -Dtest.tools.dir="$PWD/target/test-tools" "$@" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.nomadcamel.jobs.backup.DrillBench
