// The edge's client of the cluster-api's internal API, inside workerd against the wire-exact fake.

import { describe, expect, it } from 'vitest'
import { fake, testEnv } from '../../test/fake-platform-client.ts'
import { configFor } from '../config.ts'
import { InternalApiError, InternalClient } from './internal-client.ts'

const client = () => new InternalClient(configFor(testEnv))

describe('key verification', () => {
  it('takes only the unknown-key refusal for "no such key"; any other 401 is an error', async () => {
    const key = await fake.addKey('ten_client_test')
    await fake.refuseKeyVerifications(key, 1)
    // A refused edge signature (clock skew, a rotating secret) must not make a good key look revoked.
    await expect(client().verifyKey(key)).rejects.toBeInstanceOf(InternalApiError)
    expect(await client().verifyKey(key)).toMatchObject({ tenantId: 'ten_client_test', scopes: ['chat'] })
    expect(await client().verifyKey(`mi_unknown_${'x'.repeat(40)}`)).toBeNull()
  })
})
