// The origin for `npm run bench -- edge`, figure 1, in its own process so it does not share an event loop
// with the load generator. Answers every request with a small body; prints its URL on stdout.

import http from 'node:http'
import type { AddressInfo } from 'node:net'

const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' })
    res.end('{"ok":true}')
  })
})
server.keepAliveTimeout = 60_000
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`)
})
