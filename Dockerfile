# Build stage: the same Maven build as on a developer machine.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

# Runtime: a JRE, the PostgreSQL client tools for pg_dump/pg_restore, an SSH client.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client openssh-client ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /app --shell /usr/sbin/nologin ncj
WORKDIR /app
COPY --from=build /src/target/lib lib
COPY --from=build /src/target/nomad-camel-jobs.jar nomad-camel-jobs.jar
# operators mount their own copies over these
COPY application.properties application.properties
COPY routes routes
RUN mkdir -p /app/data /app/backups && chown -R ncj /app/data /app/backups
USER ncj
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fs http://127.0.0.1:9090/observe/health/ready || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/nomad-camel-jobs.jar"]
