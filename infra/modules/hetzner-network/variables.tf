variable "name" {
  type        = string
  description = "Prefix for every Hetzner object this module creates, e.g. \"myintell-production\"."
}

variable "ip_range" {
  type        = string
  description = "CIDR of the whole private network (RFC 1918)."
  default     = "10.0.0.0/16"
}

variable "nodes_subnet_ip_range" {
  type        = string
  description = "CIDR of the subnet the K3s nodes get their private addresses from; must lie inside ip_range."
  default     = "10.0.1.0/24"
}

variable "network_zone" {
  type        = string
  description = "Hetzner network zone of the subnet: eu-central (fsn1, nbg1, hel1), us-east (ash) or us-west (hil)."
  default     = "eu-central"
}

variable "labels" {
  type        = map(string)
  description = "Labels put on the network."
  default     = {}
}
