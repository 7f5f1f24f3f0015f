# The origin accepts only Cloudflare: Cloudflare connects with TLS verified against a Cloudflare
# Origin CA certificate (SSL mode "strict") and presents its origin-pull client certificate, which
# Traefik requires (Authenticated Origin Pulls; see the k3s-cluster module's origin-tls manifest).

resource "cloudflare_zone_settings_override" "tls" {
  zone_id = data.cloudflare_zone.this.id

  settings {
    ssl              = "strict"
    always_use_https = "on"
    min_tls_version  = "1.2"
    websockets       = "on"
  }
}

resource "cloudflare_authenticated_origin_pulls" "zone" {
  zone_id = data.cloudflare_zone.this.id
  enabled = true
}

resource "tls_private_key" "origin" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "origin" {
  private_key_pem = tls_private_key.origin.private_key_pem
  dns_names       = local.origin_certificate_hostnames

  subject {
    common_name  = var.zone_name
    organization = "myintell"
  }
}

resource "cloudflare_origin_ca_certificate" "origin" {
  csr                = tls_cert_request.origin.cert_request_pem
  hostnames          = local.origin_certificate_hostnames
  request_type       = "origin-rsa"
  requested_validity = var.origin_certificate_validity_days
}

locals {
  origin_certificate_hostnames = concat(
    [var.zone_name, "*.${var.zone_name}"],
    [for h in var.internal_hostnames : "${h}.${var.zone_name}"],
  )
}
