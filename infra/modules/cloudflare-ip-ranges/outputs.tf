output "ipv4_cidrs" {
  description = "Cloudflare's IPv4 ranges: the live list, or the committed fallback."
  value       = local.ipv4_cidrs
}

output "ipv6_cidrs" {
  description = "Cloudflare's IPv6 ranges: the live list, or the committed fallback."
  value       = local.ipv6_cidrs
}

output "all_cidrs" {
  description = "IPv4 and IPv6 ranges together."
  value       = concat(local.ipv4_cidrs, local.ipv6_cidrs)
}
