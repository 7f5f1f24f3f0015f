import { describe, expect, it } from 'vitest'
import { checkEgressUrl, egressPolicy, isRefusedAddress } from './egress.ts'

describe('egress', () => {
  it('refuses loopback, private, link-local (cloud metadata) and reserved addresses, in v4, v6 and mapped form', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', 'not-an-ip']) {
      expect(isRefusedAddress(address), address).toBe(true)
    }
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isRefusedAddress(address), address).toBe(false)
  })

  it('lets the operator allow hosts and CIDRs, and nothing else', () => {
    const policy = egressPolicy('127.0.0.1, 10.1.0.0/16,api.internal')
    expect(policy.allows('localhost', '127.0.0.1')).toBe(true)
    expect(policy.allows('x', '10.1.2.3')).toBe(true)
    expect(policy.allows('x', '10.2.0.1')).toBe(false)
    expect(policy.allows('api.internal', '10.9.9.9')).toBe(true)
    expect(policy.allows('x', '169.254.169.254')).toBe(false)
    expect(() => egressPolicy('10.0.0.0/33')).toThrow(/MYINTELL_EGRESS_ALLOW/)
    expect(() => egressPolicy('http://x')).toThrow(/MYINTELL_EGRESS_ALLOW/)
  })

  it('judges a URL by every address its host resolves to', async () => {
    const none = egressPolicy(undefined)
    const lookup = async (host: string) => (host === 'sneaky.example' ? ['93.184.216.34', '10.0.0.7'] : ['93.184.216.34'])
    expect(await checkEgressUrl('https://example.com/a', none, lookup)).toMatchObject({ ok: true })
    expect(await checkEgressUrl('https://sneaky.example/', none, lookup)).toMatchObject({ ok: false, reason: expect.stringContaining('10.0.0.7') })
    for (const url of ['http://127.0.0.1:8080/', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/']) {
      expect(await checkEgressUrl(url, none, lookup), url).toMatchObject({ ok: false })
    }
    expect(await checkEgressUrl('ftp://example.com/', none, lookup)).toMatchObject({ ok: false, reason: expect.stringContaining('http') })
    expect(await checkEgressUrl('https://u:p@example.com/', none, lookup)).toMatchObject({ ok: false })
    expect(await checkEgressUrl('http://127.0.0.1:8080/', egressPolicy('127.0.0.1'), lookup)).toMatchObject({ ok: true })
  })
})
