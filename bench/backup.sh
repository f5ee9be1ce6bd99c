#!/usr/bin/env bash
# Benchmark of the backup job (see bench/README.md): (1) the dump phase of 8 databases of ~200 MB at
# dump_concurrency 4 versus `xargs -P4 pg_dump -Fc` of the same databases, alternating in the same run; (2) the peak
# RSS of the application backing up a ~2 GB database versus a ~20 MB one. Starts its own PostgreSQL 15 and S3Proxy;
# needs ~12 GB of free disk under /tmp and takes ~20 minutes on 2 cores.
# Usage: bench/backup.sh [-Dbench.rounds=3] [-Dbench.memory=false] [-Dbench.java-opts=...]   (MVN_ARGS=-o: offline)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_ARGS:-} test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
exec java -Dtest.tools.dir="$PWD/target/test-tools" "$@" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.nomadcamel.jobs.backup.BackupBench
