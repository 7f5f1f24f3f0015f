// A test double of the Kubernetes API server: real HTTP on 127.0.0.1 speaking the REST protocol that
// @kubernetes/client-node and kubectl use. Objects are validated with kubernetes-models (422 Invalid otherwise).
// Watch works for every kind it serves (watch.ts), from a bounded history of changes (changes.ts).
//
// Not implemented (a real server does them): deleteCollection, the /status subresource over HTTP (tests use
// setDeploymentStatus), watch bookmarks, OpenAPI documents (use kubectl --validate=false), table output (kubectl
// prints its default columns), strategic merge (treated as merge patch).

import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { stringify as toYaml } from 'yaml'
import { handle, type InjectedFailure, type RecordedRequest, type RouterState } from './server.ts'
import { ObjectStore, type StoreOptions } from './store.ts'
import type { JsonObject } from './patches.ts'
import type { ResourceType } from './resources.ts'

export type { InjectedFailure, RecordedRequest } from './server.ts'

export interface FakeKubeApiOptions {
  /** 0 (default) picks a free port; stop/start keep whichever port was chosen. */
  port?: number
  /** Plays the Deployment controller: status.readyReplicas follows spec.replicas at once. Default true. */
  deploymentsBecomeReady?: boolean
}

export interface FakeKubeApi {
  readonly url: string
  readonly port: number
  readonly store: ObjectStore
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[]
  /** Makes the next matching requests fail with a Status error (e.g. 409 Conflict; Expired on a watch: an ERROR event). */
  injectFailure(failure: InjectedFailure): void
  /** Watch streams open right now. */
  readonly openWatches: number
  /** Ends every open watch stream cleanly, as a server does at its timeout or before a restart. */
  closeWatches(): void
  /**
   * Merges `status` into a Deployment's status, as the Deployment controller does when pods become ready
   * (`{ readyReplicas: 1 }`) or fail (`{ conditions: [...] }`): a new resourceVersion and a MODIFIED event.
   */
  setDeploymentStatus(namespace: string, name: string, status: JsonObject): JsonObject
  /** The object at `apiVersion/kind namespace/name`, or undefined. */
  find(apiVersion: string, kind: string, namespace: string | undefined, name: string): JsonObject | undefined
  /** A client-node KubeConfig pointing at this server. */
  kubeConfig(): KubeConfig
  /** Writes a kubeconfig file for kubectl into `dir` and returns its path. */
  writeKubeconfig(dir: string): string
  /** Closes the listener and every open connection: clients see ECONNREFUSED. The store survives. */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
  close(): Promise<void>
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const storeOptions: StoreOptions = { deploymentsBecomeReady: options.deploymentsBecomeReady ?? true }
  const state: RouterState = { store: new ObjectStore(storeOptions), requests: [], failures: [], watches: new Set<ServerResponse>() }
  let server: Server | undefined
  let port = options.port ?? 0

  const listen = async (): Promise<void> => {
    const next = createServer((req, res) => {
      handle(state, req, res).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)))
      })
    })
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => resolve())
    })
    port = (next.address() as AddressInfo).port
    server = next
  }
  const stop = async (): Promise<void> => {
    const current = server
    server = undefined
    if (!current) return
    const closed = new Promise<void>((resolve) => current.close(() => resolve()))
    current.closeAllConnections()
    await closed
  }

  await listen()
  const url = `http://127.0.0.1:${port}`
  const kubeconfigObject = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'fake', user: { token: 'fake-token' } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
    'current-context': 'fake',
  }

  return {
    url,
    get port() { return port },
    store: state.store,
    requests: state.requests,
    injectFailure: (failure) => { state.failures.push({ ...failure }) },
    get openWatches() { return state.watches.size },
    closeWatches() {
      for (const res of [...state.watches]) res.end()
    },
    setDeploymentStatus(namespace, name, status) {
      const type = state.store.typeOf('apps/v1', 'Deployment') as ResourceType
      return state.store.patchStatus({ type, namespace, name }, status)
    },
    find(apiVersion, kind, namespace, name) {
      const type = state.store.typeOf(apiVersion, kind)
      if (!type) throw new Error(`fake kube-api does not serve ${apiVersion} ${kind}`)
      try {
        return state.store.get({ type, namespace: type.namespaced ? namespace : undefined, name })
      } catch {
        return undefined
      }
    },
    kubeConfig() {
      const kc = new KubeConfig()
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake', token: 'fake-token' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
        currentContext: 'fake',
      })
      return kc
    },
    writeKubeconfig(dir) {
      const file = join(dir, 'kubeconfig.yaml')
      writeFileSync(file, toYaml(kubeconfigObject))
      return file
    },
    stop,
    start: async () => { if (!server) await listen() },
    close: stop,
  }
}
