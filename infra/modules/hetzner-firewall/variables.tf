variable "name" {
  type        = string
  description = "Prefix for the firewall's name, e.g. \"myintell-production\"."
}

variable "cloudflare_ipv4_cidrs" {
  type        = list(string)
  description = "Cloudflare's published IPv4 ranges; the only sources allowed on 80/443. Pass module.cloudflare_ip_ranges.ipv4_cidrs."

  validation {
    condition     = length(var.cloudflare_ipv4_cidrs) > 0 && !contains(var.cloudflare_ipv4_cidrs, "0.0.0.0/0")
    error_message = "cloudflare_ipv4_cidrs must list Cloudflare's ranges, never be empty or 0.0.0.0/0."
  }
}

variable "cloudflare_ipv6_cidrs" {
  type        = list(string)
  description = "Cloudflare's published IPv6 ranges; the only IPv6 sources allowed on 80/443. Pass module.cloudflare_ip_ranges.ipv6_cidrs."

  validation {
    condition     = !contains(var.cloudflare_ipv6_cidrs, "::/0")
    error_message = "cloudflare_ipv6_cidrs must list Cloudflare's ranges, never ::/0."
  }
}

variable "admin_cidrs" {
  type        = list(string)
  description = "Operator addresses (CIDR) allowed to reach SSH (22) and the Kubernetes API (6443), e.g. [\"203.0.113.7/32\"]."

  validation {
    condition     = length(var.admin_cidrs) > 0 && !contains(var.admin_cidrs, "0.0.0.0/0") && !contains(var.admin_cidrs, "::/0")
    error_message = "admin_cidrs must name at least one operator network and must not be 0.0.0.0/0 or ::/0."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels put on the firewall."
  default     = {}
}
