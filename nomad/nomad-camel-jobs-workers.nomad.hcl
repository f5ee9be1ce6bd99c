# nomad-camel-jobs split into three workers, as the per-domain Temporal workers were: each runs only its job types
# (WORKER_JOB_TYPES) with only its own credentials (its own Vault policy). All share one PostgreSQL (DB_URL), so
# schedules are clustered and no job runs twice; any instance answers the API and the console.

locals {
  image = "nomad-camel-jobs:latest"
}

job "nomad-camel-jobs-workers" {
  datacenters = ["dc1"]
  type        = "service"

  # ---- backups: Nomad/Consul snapshots, pg_dump, S3 ----------------------------------------------------------
  group "backup" {
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
      name = "nomad-camel-jobs-backup"
      port = "http"
      check {
        type     = "http"
        port     = "management"
        path     = "/observe/health/ready"
        interval = "15s"
        timeout  = "3s"
      }
    }
    volume "backups" {
      type   = "host"
      source = "backups"
    }
    task "app" {
      driver = "docker"
      # Nomad's default kill_timeout (5s) SIGKILLs the JVM long before scheduler.shutdown-timeout (30s) has
      # let the runs stop and compensate (kill child processes, scale the registry back). 60s = those 30s plus
      # room for Camel's route shutdown and closing the pools. Capped by the client's max_kill_timeout (30m default).
      kill_timeout = "60s"
      config {
        image = local.image
        ports = ["http", "management"]
      }
      volume_mount {
        volume      = "backups"
        destination = "/app/backups"
      }
      vault { policies = ["nomad-camel-jobs-backup"] }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<-EOT
          {{ with secret "secret/data/nomad-camel-jobs/common" }}
          DB_URL={{ .Data.data.db_url }}
          DB_USER={{ .Data.data.db_user }}
          DB_PASSWORD={{ .Data.data.db_password }}
          API_TOKEN={{ .Data.data.api_token }}
          {{ end }}
          {{ with secret "secret/data/nomad-camel-jobs/backup" }}
          NOMAD_TOKEN={{ .Data.data.nomad_snapshot_token }}
          CONSUL_HTTP_TOKEN={{ .Data.data.consul_snapshot_token }}
          S3_ACCESS_KEY={{ .Data.data.s3_access_key }}
          S3_SECRET_KEY={{ .Data.data.s3_secret_key }}
          PGPASSWORD={{ .Data.data.pg_password }}
          {{ end }}
        EOT
      }
      env {
        # inside the container every interface; the port mapping above decides who reaches it
        MANAGEMENT_HOST   = "0.0.0.0"
        WORKER_JOB_TYPES = "backup,backup-retention"
        NOMAD_ADDR       = "https://nomad.service.consul:4646"
        CONSUL_HTTP_ADDR = "http://consul.service.consul:8500"
        S3_ENDPOINT      = "https://s3.example.internal"
        S3_BUCKET        = "cluster-backups"
        PG_HOST          = "postgres.service.consul"
        PG_USER          = "backup"
      }
      resources {
        cpu    = 1000
        memory = 768
      }
    }
  }

  # ---- image scans: Nomad (read-only token) and the Trivy server ----------------------------------------------
  group "scan" {
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
      name = "nomad-camel-jobs-scan"
      port = "http"
      check {
        type     = "http"
        port     = "management"
        path     = "/observe/health/ready"
        interval = "15s"
        timeout  = "3s"
      }
    }
    task "app" {
      driver = "docker"
      # Nomad's default kill_timeout (5s) SIGKILLs the JVM long before scheduler.shutdown-timeout (30s) has
      # let the runs stop and compensate (kill child processes, scale the registry back). 60s = those 30s plus
      # room for Camel's route shutdown and closing the pools. Capped by the client's max_kill_timeout (30m default).
      kill_timeout = "60s"
      config {
        image = local.image
        ports = ["http", "management"]
      }
      vault { policies = ["nomad-camel-jobs-scan"] }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<-EOT
          {{ with secret "secret/data/nomad-camel-jobs/common" }}
          DB_URL={{ .Data.data.db_url }}
          DB_USER={{ .Data.data.db_user }}
          DB_PASSWORD={{ .Data.data.db_password }}
          API_TOKEN={{ .Data.data.api_token }}
          {{ end }}
          {{ with secret "secret/data/nomad-camel-jobs/scan" }}
          NOMAD_TOKEN={{ .Data.data.nomad_read_token }}
          {{ end }}
        EOT
      }
      env {
        # inside the container every interface; the port mapping above decides who reaches it
        MANAGEMENT_HOST   = "0.0.0.0"
        WORKER_JOB_TYPES  = "trivy-scan"
        NOMAD_ADDR        = "https://nomad.service.consul:4646"
        TRIVY_SERVER_ADDR = "http://trivy.service.consul:4954"
      }
      resources {
        cpu    = 1000
        memory = 512
      }
    }
  }

  # ---- node work over SSH: node cleanup and the registry GC (one queue: they must not overlap) -----------------
  group "cleanup" {
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
      name = "nomad-camel-jobs-cleanup"
      port = "http"
      check {
        type     = "http"
        port     = "management"
        path     = "/observe/health/ready"
        interval = "15s"
        timeout  = "3s"
      }
    }
    task "app" {
      driver = "docker"
      # Nomad's default kill_timeout (5s) SIGKILLs the JVM long before scheduler.shutdown-timeout (30s) has
      # let the runs stop and compensate (kill child processes, scale the registry back). 60s = those 30s plus
      # room for Camel's route shutdown and closing the pools. Capped by the client's max_kill_timeout (30m default).
      kill_timeout = "60s"
      config {
        image = local.image
        ports = ["http", "management"]
      }
      vault { policies = ["nomad-camel-jobs-cleanup"] }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<-EOT
          {{ with secret "secret/data/nomad-camel-jobs/common" }}
          DB_URL={{ .Data.data.db_url }}
          DB_USER={{ .Data.data.db_user }}
          DB_PASSWORD={{ .Data.data.db_password }}
          API_TOKEN={{ .Data.data.api_token }}
          {{ end }}
          {{ with secret "secret/data/nomad-camel-jobs/cleanup" }}
          NOMAD_TOKEN={{ .Data.data.nomad_scale_token }}
          {{ end }}
        EOT
      }
      # the SSH identity: a short-lived user certificate from Vault's SSH CA, and the host CA to trust nodes by
      template {
        destination = "secrets/ssh/id_ed25519"
        perms       = "0400"
        data        = "{{ with secret \"secret/data/nomad-camel-jobs/cleanup\" }}{{ .Data.data.ssh_private_key }}{{ end }}"
      }
      template {
        destination = "secrets/ssh/id_ed25519-cert.pub"
        data        = "{{ with secret \"secret/data/nomad-camel-jobs/cleanup\" }}{{ .Data.data.ssh_certificate }}{{ end }}"
      }
      template {
        destination = "secrets/ssh/host_ca.pub"
        data        = "{{ with secret \"secret/data/nomad-camel-jobs/cleanup\" }}{{ .Data.data.ssh_host_ca }}{{ end }}"
      }
      env {
        # inside the container every interface; the port mapping above decides who reaches it
        MANAGEMENT_HOST   = "0.0.0.0"
        WORKER_JOB_TYPES = "node-cleanup,registry-gc"
        NOMAD_ADDR       = "https://nomad.service.consul:4646"
        SSH_KEY_PATH     = "${NOMAD_SECRETS_DIR}/ssh/id_ed25519"
        SSH_CERT_PATH    = "${NOMAD_SECRETS_DIR}/ssh/id_ed25519-cert.pub"
        SSH_HOST_CA_PATH = "${NOMAD_SECRETS_DIR}/ssh/host_ca.pub"
      }
      resources {
        cpu    = 500
        memory = 512
      }
    }
  }
}
