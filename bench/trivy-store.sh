#!/usr/bin/env bash
# Benchmark of the trivy-scan job's storage: one image's 100,000 vulnerability rows stored by ScanStore.save versus
# `psql \copy` of the same rows, on a throwaway PostgreSQL 15 started for the run (see bench/README.md).
# Usage: bench/trivy-store.sh [rows] [rounds]      (MVN_ARGS=-o for an offline Maven)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_ARGS:-} test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.nomadcamel.jobs.trivy.TrivyStoreBench "$@"
