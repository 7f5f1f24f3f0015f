output "firewall_id" {
  description = "ID of the nodes' firewall; every K3s server and worker is attached to it."
  value       = hcloud_firewall.nodes.id
}
