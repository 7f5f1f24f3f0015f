variable "project_name" {
  type        = string
  description = "Name of the Neon project, e.g. \"myintell-production\"."
}

variable "region_id" {
  type        = string
  description = "Neon region, close to the cluster: aws-eu-central-1 for Hetzner fsn1/nbg1/hel1, aws-us-east-1 (or aws-us-east-2) for ash."
  default     = "aws-eu-central-1"
}

variable "pg_version" {
  type        = number
  description = "PostgreSQL major version of the project."
  default     = 17
}

variable "history_retention_seconds" {
  type        = number
  description = "Point-in-time restore window in seconds (the free plan allows up to 86400)."
  default     = 86400
}

variable "autoscaling_limit_min_cu" {
  type        = number
  description = "Smallest compute size (compute units) of the project's endpoints."
  default     = 0.25
}

variable "autoscaling_limit_max_cu" {
  type        = number
  description = "Largest compute size (compute units) of the project's endpoints."
  default     = 1
}

variable "suspend_timeout_seconds" {
  type        = number
  description = "Idle seconds before a compute suspends; 0 means Neon's default (300)."
  default     = 0
}

variable "database_name" {
  type        = string
  description = "Name of the platform database."
  default     = "myintell"
}

variable "role_name" {
  type        = string
  description = "Name of the role that owns the platform database and that the cluster-api connects as."
  default     = "myintell_platform"
}
