output "project_id" {
  description = "ID of the Neon project (the cluster-api creates tenant databases in it)."
  value       = neon_project.this.id
}

output "default_branch_id" {
  description = "ID of the project's default branch, where the platform database lives."
  value       = neon_project.this.default_branch_id
}

output "database_host" {
  description = "Host name of the project's default endpoint."
  value       = neon_project.this.database_host
}

output "database_name" {
  description = "Name of the platform database."
  value       = neon_database.platform.name
}

output "connection_uri" {
  description = "postgresql:// URL of the platform database (DATABASE_URL of the cluster-api). Contains the password."
  value       = "postgresql://${neon_role.platform.name}:${neon_role.platform.password}@${neon_project.this.database_host}/${neon_database.platform.name}?sslmode=require"
  sensitive   = true
}
