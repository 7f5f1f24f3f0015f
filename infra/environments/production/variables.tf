# Secrets are variables marked sensitive: pass them with TF_VAR_<name> or an uncommitted
# terraform.tfvars (see terraform.tfvars.example). Nothing secret is ever written in a .tf file.

variable "hcloud_token" {
  type        = string
  description = "Hetzner Cloud API token (read & write) of the project the cluster lives in."
  sensitive   = true
}

variable "cloudflare_api_token" {
  type        = string
  description = "Cloudflare API token with Zone:DNS:Edit, Zone:Zone Settings:Edit, Zone:SSL and Certificates:Edit, Zone:Workers Routes:Edit and Account:Workers Scripts:Edit."
  sensitive   = true
}

variable "neon_api_key" {
  type        = string
  description = "Neon API key of the account (or organisation) that owns the project."
  sensitive   = true
}

variable "edge_signing_secret" {
  type        = string
  description = "HMAC secret shared by the edge Worker and the cluster-api/agents (EDGE_SIGNING_SECRET); generate with `openssl rand -hex 32`."
  sensitive   = true
}

variable "cloudflare_account_id" {
  type        = string
  description = "Cloudflare account ID (dashboard → Workers & Pages → Account ID)."
}

variable "base_domain" {
  type        = string
  description = "The platform's zone in Cloudflare; agents live at <slug>.<base_domain>. Must match BASE_DOMAIN in wrangler.toml [env.production.vars]."
  default     = "myintell.ai"
}

variable "dns_only_cnames" {
  type        = map(string)
  description = "Unproxied CNAMEs in the zone (name => target), e.g. the records Clerk's production instance lists under Domains."
  default     = {}
}

variable "location" {
  type        = string
  description = "Hetzner location of the nodes (fsn1, nbg1, hel1, ash, hil)."
  default     = "fsn1"
}

variable "network_zone" {
  type        = string
  description = "Hetzner network zone that contains location: eu-central for fsn1/nbg1/hel1, us-east for ash, us-west for hil."
  default     = "eu-central"
}

variable "admin_cidrs" {
  type        = list(string)
  description = "Operator addresses (CIDR) allowed to reach SSH and the Kubernetes API, e.g. [\"203.0.113.7/32\"]."
}

variable "ssh_public_key" {
  type        = string
  description = "OpenSSH public key installed for root on every node (contents of e.g. ~/.ssh/id_ed25519.pub)."
}

variable "server_type" {
  type        = string
  description = "Hetzner server type of the K3s server."
  default     = "cpx31"
}

variable "worker_type" {
  type        = string
  description = "Hetzner server type of the K3s workers."
  default     = "cpx31"
}

variable "worker_count" {
  type        = number
  description = "Number of K3s worker nodes."
  default     = 2
}

variable "k3s_version" {
  type        = string
  description = "K3s release installed on new nodes (https://github.com/k3s-io/k3s/releases)."
  default     = "v1.33.5+k3s1"
}

variable "keda_chart_version" {
  type        = string
  description = "Version of the kedacore/keda Helm chart installed by K3s."
  default     = "2.17.2"
}

variable "cert_manager_chart_version" {
  type        = string
  description = "Version of the jetstack/cert-manager Helm chart installed by K3s."
  default     = "v1.17.2"
}

variable "sealed_secrets_chart_version" {
  type        = string
  description = "Version of the bitnami-labs/sealed-secrets Helm chart installed by K3s."
  default     = "2.17.2"
}

variable "use_live_cloudflare_ranges" {
  type        = bool
  description = "Read Cloudflare's IP ranges from the API at plan time; false uses the committed list (modules/cloudflare-ip-ranges/ranges.tf)."
  default     = true
}

variable "worker_script_name" {
  type        = string
  description = "Script name `wrangler deploy --env production` creates: wrangler.toml's name plus \"-production\"."
  default     = "myintell-edge-production"
}

variable "worker_deployed" {
  type        = bool
  description = "Set to true after the first `wrangler deploy --env production`; Terraform then manages the Worker route and EDGE_SIGNING_SECRET."
  default     = false
}

variable "neon_region_id" {
  type        = string
  description = "Neon region of the platform project; aws-eu-central-1 is nearest to fsn1/nbg1/hel1."
  default     = "aws-eu-central-1"
}
