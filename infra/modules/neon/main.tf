# Neon holds the platform database (tenants, agents, API keys, usage) and, on the same project, the
# per-tenant databases the cluster-api creates through the Neon API. Computes suspend when idle.

resource "neon_project" "this" {
  name                      = var.project_name
  region_id                 = var.region_id
  pg_version                = var.pg_version
  history_retention_seconds = var.history_retention_seconds

  default_endpoint_settings {
    autoscaling_limit_min_cu = var.autoscaling_limit_min_cu
    autoscaling_limit_max_cu = var.autoscaling_limit_max_cu
    suspend_timeout_seconds  = var.suspend_timeout_seconds
  }
}

resource "neon_role" "platform" {
  project_id = neon_project.this.id
  branch_id  = neon_project.this.default_branch_id
  name       = var.role_name
}

resource "neon_database" "platform" {
  project_id = neon_project.this.id
  branch_id  = neon_project.this.default_branch_id
  name       = var.database_name
  owner_name = neon_role.platform.name
}
