# A K3s cluster on Hetzner Cloud: one server (control plane, also schedulable) and N workers, all on
# the private network and behind the nodes' firewall. cloud-init installs K3s (with its bundled
# Traefik); the platform add-ons (KEDA, cert-manager, sealed-secrets) and Traefik's origin TLS
# settings are K3s auto-deploy manifests written to /var/lib/rancher/k3s/server/manifests.
# Traefik's own HelmChartConfig (entry points, metrics) belongs to manifests/base/traefik, not here:
# two writers of the same object would undo each other.

locals {
  # .2 is the server; workers follow from .10. Fixed addresses let the workers' cloud-init know
  # where to join before the server exists.
  server_private_ip  = cidrhost(var.nodes_subnet_ip_range, 2)
  worker_private_ips = [for i in range(var.worker_count) : cidrhost(var.nodes_subnet_ip_range, 10 + i)]

  manifests_dir = "/var/lib/rancher/k3s/server/manifests"

  # file name under manifests_dir => rendered manifest
  platform_manifests = {
    "myintell-keda.yaml" = templatefile("${path.module}/templates/keda-helmchart.yaml.tftpl", {
      chart_version = var.keda_chart_version
    })
    "myintell-cert-manager.yaml" = templatefile("${path.module}/templates/cert-manager-helmchart.yaml.tftpl", {
      chart_version = var.cert_manager_chart_version
    })
    "myintell-sealed-secrets.yaml" = templatefile("${path.module}/templates/sealed-secrets-helmchart.yaml.tftpl", {
      chart_version = var.sealed_secrets_chart_version
    })
    "myintell-origin-tls.yaml" = templatefile("${path.module}/templates/origin-tls.yaml.tftpl", {
      origin_cert_secret_name = var.origin_cert_secret_name
    })
  }

  common_labels = merge(var.labels, { "managed-by" = "terraform", "cluster" = var.name })
}

resource "random_password" "k3s_token" {
  length  = 48
  special = false
}

resource "hcloud_ssh_key" "admin" {
  name       = "${var.name}-admin"
  public_key = var.ssh_public_key
  labels     = local.common_labels
}

resource "hcloud_server" "server" {
  name         = "${var.name}-server-1"
  server_type  = var.server_type
  image        = var.image
  location     = var.location
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [var.firewall_id]
  labels       = merge(local.common_labels, { "role" = "k3s-server" })

  user_data = templatefile("${path.module}/templates/server-cloud-init.yaml.tftpl", {
    k3s_version        = var.k3s_version
    k3s_token          = random_password.k3s_token.result
    private_ip         = local.server_private_ip
    manifests_dir      = local.manifests_dir
    manifests          = local.platform_manifests
    origin_pull_ca_url = var.origin_pull_ca_url
  })

  network {
    network_id = var.network_id
    ip         = local.server_private_ip
  }

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  lifecycle {
    # A new K3s version or add-on version is rolled out on the running node (see docs/deploy.md),
    # not by replacing the server and its etcd/sqlite state.
    ignore_changes = [user_data, image]
  }
}

resource "hcloud_server" "worker" {
  count = var.worker_count

  name         = "${var.name}-worker-${count.index + 1}"
  server_type  = var.worker_type
  image        = var.image
  location     = var.location
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [var.firewall_id]
  labels       = merge(local.common_labels, { "role" = "k3s-worker" })

  user_data = templatefile("${path.module}/templates/worker-cloud-init.yaml.tftpl", {
    k3s_version       = var.k3s_version
    k3s_token         = random_password.k3s_token.result
    private_ip        = local.worker_private_ips[count.index]
    server_private_ip = local.server_private_ip
  })

  network {
    network_id = var.network_id
    ip         = local.worker_private_ips[count.index]
  }

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  lifecycle {
    ignore_changes = [user_data, image]
  }

  depends_on = [hcloud_server.server]
}
