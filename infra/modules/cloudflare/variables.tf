variable "account_id" {
  type        = string
  description = "Cloudflare account ID that owns the zone and the Worker script."
}

variable "zone_name" {
  type        = string
  description = "The platform's zone, already added to the Cloudflare account, e.g. \"myintell.ai\"."
}

variable "origin_ipv4" {
  type        = string
  description = "Public IPv4 of the origin (the K3s server running Traefik)."
}

variable "origin_ipv6" {
  type        = string
  description = "Public IPv6 of the origin; empty for none."
  default     = ""
}

variable "internal_hostnames" {
  type        = list(string)
  description = "Hostnames (relative to the zone) the Worker forwards to; must match ORIGIN_URL and CLUSTER_API_URL in wrangler.toml [env.production.vars]."
  default     = ["ingress.internal", "cluster-api.internal"]
}

variable "dns_only_cnames" {
  type        = map(string)
  description = "CNAME records (name relative to the zone => target) that are not proxied, e.g. Clerk's { clerk = \"frontend-api.clerk.services\" }."
  default     = {}
}

variable "origin_certificate_validity_days" {
  type        = number
  description = "Validity of the Cloudflare Origin CA certificate Traefik serves (7, 30, 90, 365, 730, 1095 or 5475 days)."
  default     = 5475
}

variable "worker_script_name" {
  type        = string
  description = "Name of the deployed edge Worker script: wrangler.toml's name plus \"-production\" for `--env production`."
  default     = "myintell-edge-production"
}

variable "worker_deployed" {
  type        = bool
  description = "True once `wrangler deploy --env production` has created the Worker script; enables the Worker route and secrets."
  default     = false
}

variable "edge_signing_secret" {
  type        = string
  description = "HMAC secret shared by the edge Worker and the cluster (EDGE_SIGNING_SECRET); at least 32 characters."
  sensitive   = true

  validation {
    condition     = length(var.edge_signing_secret) >= 32
    error_message = "edge_signing_secret must be at least 32 characters."
  }
}
