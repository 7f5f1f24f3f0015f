output "origin_ipv4" {
  description = "Public IPv4 of the origin (K3s server running Traefik); the wildcard DNS record points here."
  value       = module.k3s.server_ipv4
}

output "origin_ipv6" {
  description = "Public IPv6 of the origin."
  value       = module.k3s.server_ipv6
}

output "worker_ipv4s" {
  description = "Public IPv4 addresses of the worker nodes (SSH only)."
  value       = module.k3s.worker_ipv4s
}

output "kubeconfig_command" {
  description = "Run this to write the cluster's admin kubeconfig to ./kubeconfig."
  value       = module.k3s.kubeconfig_command
}

output "ssh_command" {
  description = "SSH into the K3s server."
  value       = "ssh root@${module.k3s.server_ipv4}"
}

output "cloudflare_zone_id" {
  description = "ID of the platform's Cloudflare zone."
  value       = module.cloudflare.zone_id
}

output "worker_route_pattern" {
  description = "Route the edge Worker serves."
  value       = module.cloudflare.worker_route_pattern
}

output "origin_certificate_pem" {
  description = "Cloudflare Origin CA certificate for the kube-system/cloudflare-origin-cert TLS Secret."
  value       = module.cloudflare.origin_certificate_pem
}

output "origin_private_key_pem" {
  description = "Private key for the kube-system/cloudflare-origin-cert TLS Secret."
  value       = module.cloudflare.origin_private_key_pem
  sensitive   = true
}

output "neon_project_id" {
  description = "Neon project ID the cluster-api creates tenant databases in (NEON_PROJECT_ID)."
  value       = module.neon.project_id
}

output "neon_default_branch_id" {
  description = "Neon branch the platform and tenant databases live on (NEON_BRANCH_ID of the cluster-api)."
  value       = module.neon.default_branch_id
}

output "neon_connection_uri" {
  description = "DATABASE_URL of the cluster-api: the platform database on Neon. Contains the password."
  value       = module.neon.connection_uri
  sensitive   = true
}
