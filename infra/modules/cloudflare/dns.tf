# Every agent, the API and the dashboard live on a subdomain of the zone; all of them go through
# Cloudflare's proxy (and so through the edge Worker) to the one origin. The internal hostnames are
# what the Worker calls (ORIGIN_URL, CLUSTER_API_URL in wrangler.toml [env.production.vars]).

data "cloudflare_zone" "this" {
  name = var.zone_name
}

resource "cloudflare_record" "wildcard_ipv4" {
  zone_id = data.cloudflare_zone.this.id
  name    = "*"
  type    = "A"
  content = var.origin_ipv4
  proxied = true
  ttl     = 1
  comment = "myintell.ai: every subdomain through the edge Worker to the K3s origin"
}

resource "cloudflare_record" "wildcard_ipv6" {
  count = var.origin_ipv6 == "" ? 0 : 1

  zone_id = data.cloudflare_zone.this.id
  name    = "*"
  type    = "AAAA"
  content = var.origin_ipv6
  proxied = true
  ttl     = 1
  comment = "myintell.ai: every subdomain through the edge Worker to the K3s origin"
}

resource "cloudflare_record" "internal" {
  for_each = toset(var.internal_hostnames)

  zone_id = data.cloudflare_zone.this.id
  name    = each.value
  type    = "A"
  content = var.origin_ipv4
  proxied = true
  ttl     = 1
  comment = "myintell.ai: origin hostname the edge Worker forwards to"
}

# Records that must bypass the proxy and so the Worker, e.g. the CNAMEs Clerk's production instance
# asks for (clerk, accounts, clkmail, clk._domainkey, clk2._domainkey). Names are relative to the zone.
resource "cloudflare_record" "dns_only" {
  for_each = var.dns_only_cnames

  zone_id = data.cloudflare_zone.this.id
  name    = each.key
  type    = "CNAME"
  content = each.value
  proxied = false
  ttl     = 300
  comment = "myintell.ai: DNS only, never through the edge Worker"
}
