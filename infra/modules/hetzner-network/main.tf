# The private network the K3s nodes talk over. Node-to-node traffic (flannel, kubelet, the API
# server) stays on it; Hetzner firewalls only filter public interfaces.

resource "hcloud_network" "this" {
  name     = "${var.name}-network"
  ip_range = var.ip_range
  labels   = var.labels
}

resource "hcloud_network_subnet" "nodes" {
  network_id   = hcloud_network.this.id
  type         = "cloud"
  network_zone = var.network_zone
  ip_range     = var.nodes_subnet_ip_range
}
