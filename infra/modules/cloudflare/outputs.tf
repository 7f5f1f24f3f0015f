output "zone_id" {
  description = "ID of the platform's zone."
  value       = data.cloudflare_zone.this.id
}

output "worker_route_pattern" {
  description = "Pattern of the Worker route (present once worker_deployed = true)."
  value       = "*.${var.zone_name}/*"
}

output "origin_certificate_pem" {
  description = "Cloudflare Origin CA certificate for the origin; goes into the kube-system TLS Secret Traefik serves."
  value       = cloudflare_origin_ca_certificate.origin.certificate
}

output "origin_private_key_pem" {
  description = "Private key of the origin certificate."
  value       = tls_private_key.origin.private_key_pem
  sensitive   = true
}
