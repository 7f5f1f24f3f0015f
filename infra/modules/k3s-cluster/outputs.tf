output "server_ipv4" {
  description = "Public IPv4 of the K3s server: the origin Cloudflare proxies to, and the SSH/API address."
  value       = hcloud_server.server.ipv4_address
}

output "server_ipv6" {
  description = "Public IPv6 address of the K3s server."
  value       = hcloud_server.server.ipv6_address
}

output "server_private_ip" {
  description = "Address of the K3s server on the private network."
  value       = local.server_private_ip
}

output "worker_ipv4s" {
  description = "Public IPv4 addresses of the workers (SSH only; traffic enters through the server)."
  value       = hcloud_server.worker[*].ipv4_address
}

output "kubeconfig_command" {
  description = "Shell command that copies the cluster's admin kubeconfig to ./kubeconfig, pointed at the server's public address."
  value       = "ssh -o StrictHostKeyChecking=accept-new root@${hcloud_server.server.ipv4_address} 'cat /etc/rancher/k3s/k3s.yaml' | sed 's/127.0.0.1/${hcloud_server.server.ipv4_address}/' > kubeconfig && chmod 600 kubeconfig"
}
