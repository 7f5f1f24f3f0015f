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
