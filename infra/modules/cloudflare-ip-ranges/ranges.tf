# The one place Cloudflare's address ranges live. Everything that must admit only Cloudflare (the
# Hetzner firewall) takes its list from this module's outputs.
#
# The committed lists are https://www.cloudflare.com/ips-v4 and /ips-v6 as published; they change
# rarely. With use_live_ranges = true (the default) the cloudflare_ip_ranges data source is read at
# plan time instead and the committed lists are only the fallback.

locals {
  fallback_ipv4_cidrs = [
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
  ]

  fallback_ipv6_cidrs = [
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
  ]

  live_ipv4_cidrs = var.use_live_ranges ? data.cloudflare_ip_ranges.published[0].ipv4_cidr_blocks : []
  live_ipv6_cidrs = var.use_live_ranges ? data.cloudflare_ip_ranges.published[0].ipv6_cidr_blocks : []

  ipv4_cidrs = length(local.live_ipv4_cidrs) > 0 ? local.live_ipv4_cidrs : local.fallback_ipv4_cidrs
  ipv6_cidrs = length(local.live_ipv6_cidrs) > 0 ? local.live_ipv6_cidrs : local.fallback_ipv6_cidrs
}

data "cloudflare_ip_ranges" "published" {
  count = var.use_live_ranges ? 1 : 0
}
