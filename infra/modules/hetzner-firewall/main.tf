# Public ingress of every node. HTTP(S) only from Cloudflare's published ranges (the edge Worker and
# the proxy are the only clients the origin serves); SSH and the Kubernetes API only from the
# operators' addresses. Outbound is left open: agents call model providers and Neon.

locals {
  cloudflare_cidrs = concat(var.cloudflare_ipv4_cidrs, var.cloudflare_ipv6_cidrs)
}

resource "hcloud_firewall" "nodes" {
  name   = "${var.name}-nodes"
  labels = var.labels

  rule {
    description = "HTTP from Cloudflare only"
    direction   = "in"
    protocol    = "tcp"
    port        = "80"
    source_ips  = local.cloudflare_cidrs
  }

  rule {
    description = "HTTPS from Cloudflare only"
    direction   = "in"
    protocol    = "tcp"
    port        = "443"
    source_ips  = local.cloudflare_cidrs
  }

  rule {
    description = "SSH from the admin addresses"
    direction   = "in"
    protocol    = "tcp"
    port        = "22"
    source_ips  = var.admin_cidrs
  }

  rule {
    description = "Kubernetes API from the admin addresses"
    direction   = "in"
    protocol    = "tcp"
    port        = "6443"
    source_ips  = var.admin_cidrs
  }

  rule {
    description = "ICMP from the admin addresses (ping, path MTU)"
    direction   = "in"
    protocol    = "icmp"
    source_ips  = var.admin_cidrs
  }
}
