# myintell.ai production: K3s on Hetzner behind Cloudflare, with Neon for the databases.
# Order of things: network and firewall, then the cluster, then DNS/TLS/Worker pointing at it.

locals {
  name   = "myintell-production"
  labels = { "project" = "myintell", "environment" = "production" }
}

module "cloudflare_ip_ranges" {
  source = "../../modules/cloudflare-ip-ranges"

  use_live_ranges = var.use_live_cloudflare_ranges
}

module "network" {
  source = "../../modules/hetzner-network"

  name         = local.name
  network_zone = var.network_zone
  labels       = local.labels
}

module "firewall" {
  source = "../../modules/hetzner-firewall"

  name                  = local.name
  cloudflare_ipv4_cidrs = module.cloudflare_ip_ranges.ipv4_cidrs
  cloudflare_ipv6_cidrs = module.cloudflare_ip_ranges.ipv6_cidrs
  admin_cidrs           = var.admin_cidrs
  labels                = local.labels
}

module "k3s" {
  source = "../../modules/k3s-cluster"

  name                         = local.name
  location                     = var.location
  network_id                   = module.network.network_id
  nodes_subnet_ip_range        = module.network.nodes_subnet_ip_range
  firewall_id                  = module.firewall.firewall_id
  ssh_public_key               = var.ssh_public_key
  server_type                  = var.server_type
  worker_type                  = var.worker_type
  worker_count                 = var.worker_count
  k3s_version                  = var.k3s_version
  keda_chart_version           = var.keda_chart_version
  cert_manager_chart_version   = var.cert_manager_chart_version
  sealed_secrets_chart_version = var.sealed_secrets_chart_version
  labels                       = local.labels

  # Servers may only attach to the network once its subnet exists.
  depends_on = [module.network]
}

module "cloudflare" {
  source = "../../modules/cloudflare"

  account_id          = var.cloudflare_account_id
  zone_name           = var.base_domain
  origin_ipv4         = module.k3s.server_ipv4
  origin_ipv6         = module.k3s.server_ipv6
  dns_only_cnames     = var.dns_only_cnames
  worker_script_name  = var.worker_script_name
  worker_deployed     = var.worker_deployed
  edge_signing_secret = var.edge_signing_secret
}

module "neon" {
  source = "../../modules/neon"

  project_name = local.name
  region_id    = var.neon_region_id
}
