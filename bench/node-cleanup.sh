#!/usr/bin/env bash
# node-cleanup benchmark: 16 local sshd "nodes" (each listing ~1 s), one by one versus 8 at a time, in one run.
# Needs what the tests need (openssh-server, util-linux; root for the nodes' mount namespaces).
# Usage: bench/node-cleanup.sh [nodes=16] [concurrency=8] [command-delay-ms=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
LOG_LEVEL="${LOG_LEVEL:-WARN}" exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.nomadcamel.jobs.cleanup.NodeCleanupBench "$@"
