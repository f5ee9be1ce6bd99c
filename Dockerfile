# nomad-camel-jobs image: build with Maven, run on a slim JRE with the programs the jobs call.
# docker build -t nomad-camel-jobs .   (the build stage needs Maven Central; the runtime stage Debian,
# HashiCorp's and Aqua Security's apt repositories)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre-jammy
ARG PG_MAJOR=15
# pg_dump must be at least the server's major version: PG_MAJOR picks the client from PostgreSQL's own repository,
# which also reads older servers. The nomad and consul CLIs take snapshots; trivy scans in client mode; ssh and
# curl for node work and the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg openssh-client lsb-release procps \
 && install -d /usr/share/keyrings \
 && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc | gpg --dearmor -o /usr/share/keyrings/pgdg.gpg \
 && echo "deb [signed-by=/usr/share/keyrings/pgdg.gpg] http://apt.postgresql.org/pub/repos/apt $(lsb_release -cs)-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && curl -fsSL https://apt.releases.hashicorp.com/gpg | gpg --dearmor -o /usr/share/keyrings/hashicorp.gpg \
 && echo "deb [signed-by=/usr/share/keyrings/hashicorp.gpg] https://apt.releases.hashicorp.com $(lsb_release -cs) main" \
      > /etc/apt/sources.list.d/hashicorp.list \
 && curl -fsSL https://aquasecurity.github.io/trivy-repo/deb/public.key | gpg --dearmor -o /usr/share/keyrings/trivy.gpg \
 && echo "deb [signed-by=/usr/share/keyrings/trivy.gpg] https://aquasecurity.github.io/trivy-repo/deb generic main" \
      > /etc/apt/sources.list.d/trivy.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} nomad consul trivy \
 && apt-get purge -y gnupg lsb-release && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /app --shell /usr/sbin/nologin ncj
WORKDIR /app
COPY --from=build /src/target/lib lib
COPY --from=build /src/target/nomad-camel-jobs.jar nomad-camel-jobs.jar
# operators mount their own copies over these
COPY application.properties application.properties
COPY routes routes
RUN mkdir -p /app/data /app/backups && chown -R ncj /app/data /app/backups
# APP_HOME: the jar sits in /app itself, not in a folder below the home (the default's target/ or lib/)
ENV APP_HOME=/app PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin BACKUP_DIR=/app/backups TRIVY_CACHE_DIR=/app/data/trivy-cache
# small and quick to start (bench/startup.sh: ~2.7 s to ready, ~180 MiB idle): serial GC, a heap that gives memory
# back, a class-data archive written by a training start-up; C2 kept (2 compiler threads, a small code cache): under
# C1 alone SHA-256 runs without its CPU intrinsics, 9 times slower, and every backup checksums its dumps (bench/README.md)
ENV JAVA_OPTS="-XX:SharedArchiveFile=/app/nomad-camel-jobs.jsa -XX:+UseSerialGC -Xms16m -XX:MaxRAMPercentage=75 \
 -Xss512k -XX:CICompilerCount=2 -XX:ReservedCodeCacheSize=64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 \
 -XX:+ExitOnOutOfMemoryError"
RUN d=$(mktemp -d) && (DATA_DIR=$d java -XX:ArchiveClassesAtExit=/app/nomad-camel-jobs.jsa -jar nomad-camel-jobs.jar &) \
 && until curl -fs http://127.0.0.1:9090/observe/health/ready >/dev/null; do sleep 0.5; done \
 && pkill -f ArchiveClassesAtExit && sleep 5 && rm -rf "$d" && test -s /app/nomad-camel-jobs.jsa
USER ncj
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fs http://127.0.0.1:9090/observe/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/nomad-camel-jobs.jar"]
