variable "use_live_ranges" {
  type        = bool
  description = "Read Cloudflare's current ranges with the cloudflare_ip_ranges data source (true) or use only the committed list in ranges.tf (false)."
  default     = true
}
