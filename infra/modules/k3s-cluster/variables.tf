variable "name" {
  type        = string
  description = "Cluster name; prefixes every server and key, e.g. \"myintell-production\"."
}

variable "location" {
  type        = string
  description = "Hetzner location of all nodes (fsn1, nbg1, hel1, ash, hil); must be in the subnet's network zone."
}

variable "network_id" {
  type        = string
  description = "ID of the private network the nodes attach to (module hetzner-network, output network_id)."
}

variable "nodes_subnet_ip_range" {
  type        = string
  description = "CIDR of the nodes' subnet; the server gets host .2, workers .10 onwards."
}

variable "firewall_id" {
  type        = string
  description = "ID of the firewall attached to every node (module hetzner-firewall, output firewall_id)."
}

variable "ssh_public_key" {
  type        = string
  description = "OpenSSH public key installed for root on every node; the operator's way in for kubeconfig retrieval."
}

variable "server_type" {
  type        = string
  description = "Hetzner server type of the K3s server (control plane, also runs workloads)."
  default     = "cpx31"
}

variable "worker_type" {
  type        = string
  description = "Hetzner server type of each K3s worker."
  default     = "cpx31"
}

variable "worker_count" {
  type        = number
  description = "Number of K3s worker nodes; 0 runs everything on the server."
  default     = 2

  validation {
    condition     = var.worker_count >= 0 && var.worker_count <= 50
    error_message = "worker_count must be between 0 and 50."
  }
}

variable "image" {
  type        = string
  description = "Operating system image of every node."
  default     = "ubuntu-24.04"
}

variable "k3s_version" {
  type        = string
  description = "K3s release installed by cloud-init (INSTALL_K3S_VERSION), e.g. \"v1.33.5+k3s1\"."
}

variable "keda_chart_version" {
  type        = string
  description = "Version of the kedacore/keda Helm chart."
}

variable "cert_manager_chart_version" {
  type        = string
  description = "Version of the jetstack/cert-manager Helm chart."
}

variable "sealed_secrets_chart_version" {
  type        = string
  description = "Version of the bitnami-labs/sealed-secrets Helm chart."
}

variable "origin_pull_ca_url" {
  type        = string
  description = "Where the server fetches Cloudflare's Authenticated Origin Pulls CA certificate at first boot; Traefik requires client certificates signed by it."
  default     = "https://developers.cloudflare.com/ssl/static/authenticated_origin_pull_ca.pem"
}

variable "origin_cert_secret_name" {
  type        = string
  description = "Name of the kube-system TLS Secret holding the Cloudflare Origin CA certificate Traefik serves (created after apply, see docs/deploy.md)."
  default     = "cloudflare-origin-cert"
}

variable "labels" {
  type        = map(string)
  description = "Labels put on every server and key."
  default     = {}
}
