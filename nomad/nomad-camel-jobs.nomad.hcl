# nomad-camel-jobs as one Nomad service running every job type (see nomad-camel-jobs-workers.nomad.hcl for the
# split into backup, scan and cleanup workers with separate credentials): API and console on 8080, health and metrics on 9090.
# Secrets come from Vault through templates, never from the job file.
job "nomad-camel-jobs" {
  datacenters = ["dc1"]
  type        = "service"

  group "jobs" {
    count = 1

    network {
      port "http" { to = 8080 }
      # health, metrics and Jolokia (basic auth in clear text): only on the clients' host_network "private"
      port "management" {
        to           = 9090
        host_network = "private"
      }
    }

    service {
      name = "nomad-camel-jobs"
      port = "http"
      check {
        type     = "http"
        port     = "management"
        path     = "/observe/health/ready"
        interval = "15s"
        timeout  = "3s"
      }
    }

    service {
      name = "nomad-camel-jobs-metrics"
      port = "management"
      tags = ["prometheus"]
    }

    task "app" {
      driver = "docker"
      # Nomad's default kill_timeout (5s) SIGKILLs the JVM long before scheduler.shutdown-timeout (30s) has
      # let the runs stop and compensate (kill child processes, scale the registry back). 60s = those 30s plus
      # room for Camel's route shutdown and closing the pools. Capped by the client's max_kill_timeout (30m default).
      kill_timeout = "60s"

      config {
        image = "nomad-camel-jobs:latest"
        ports = ["http", "management"]
      }

      vault {
        policies = ["nomad-camel-jobs"]
      }

      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<-EOT
          {{ with secret "secret/data/nomad-camel-jobs" }}
          DB_URL={{ .Data.data.db_url }}
          DB_USER={{ .Data.data.db_user }}
          DB_PASSWORD={{ .Data.data.db_password }}
          API_TOKEN={{ .Data.data.api_token }}
          NOMAD_TOKEN={{ .Data.data.nomad_token }}
          CONSUL_HTTP_TOKEN={{ .Data.data.consul_token }}
          S3_ACCESS_KEY={{ .Data.data.s3_access_key }}
          S3_SECRET_KEY={{ .Data.data.s3_secret_key }}
          PGPASSWORD={{ .Data.data.pg_password }}
          {{ end }}
        EOT
      }

      env {
        # inside the container every interface; the port mapping above decides who reaches it
        MANAGEMENT_HOST   = "0.0.0.0"
        NOMAD_ADDR        = "https://nomad.service.consul:4646"
        CONSUL_HTTP_ADDR  = "http://consul.service.consul:8500"
        BACKUP_DIR        = "/alloc/data/backups"
        TRIVY_SERVER_ADDR = "http://trivy.service.consul:4954"
        S3_ENDPOINT       = "https://s3.example.internal"
        S3_BUCKET         = "cluster-backups"
        PG_HOST           = "postgres.service.consul"
        PG_USER           = "backup"
      }

      resources {
        cpu    = 500
        memory = 512
      }
    }
  }
}
