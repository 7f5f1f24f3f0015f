# The edge Worker's code is deployed by wrangler (wrangler.toml, `wrangler deploy --env production`,
# script name "<name>-production"); Terraform owns where it runs and its secrets. Cloudflare refuses
# routes and secrets for a script that does not exist yet, so both wait for worker_deployed = true
# (set after the first `wrangler deploy`, see docs/deploy.md).

resource "cloudflare_workers_route" "edge" {
  count = var.worker_deployed ? 1 : 0

  zone_id     = data.cloudflare_zone.this.id
  pattern     = "*.${var.zone_name}/*"
  script_name = var.worker_script_name
}

resource "cloudflare_workers_secret" "edge_signing_secret" {
  count = var.worker_deployed ? 1 : 0

  account_id  = var.account_id
  script_name = var.worker_script_name
  name        = "EDGE_SIGNING_SECRET"
  secret_text = var.edge_signing_secret
}
