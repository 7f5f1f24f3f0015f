output "network_id" {
  description = "ID of the private network; servers attach to it."
  value       = hcloud_network.this.id
}

output "nodes_subnet_id" {
  description = "ID of the nodes' subnet; servers must be created after it exists."
  value       = hcloud_network_subnet.nodes.id
}

output "nodes_subnet_ip_range" {
  description = "CIDR the node addresses are taken from."
  value       = hcloud_network_subnet.nodes.ip_range
}
