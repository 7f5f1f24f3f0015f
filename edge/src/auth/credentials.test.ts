import { describe, expect, it } from 'vitest'
import { dropCredentials, readCredential } from './credentials.ts'

describe('credentials', () => {
  it('reads an API key or a JWT from the bearer header', () => {
    expect(readCredential(new Headers({ authorization: 'Bearer mi_abc' }))).toEqual({ kind: 'api-key', key: 'mi_abc' })
    expect(readCredential(new Headers({ authorization: 'bearer eyJ.x.y' }))).toEqual({ kind: 'jwt', token: 'eyJ.x.y' })
  })

  it('reads the __session cookie when there is no bearer header', () => {
    expect(readCredential(new Headers({ cookie: 'a=1; __session=eyJ.a.b; c=3' }))).toEqual({ kind: 'jwt', token: 'eyJ.a.b' })
  })

  it('ignores other authorization schemes and finds nothing without credentials', () => {
    expect(readCredential(new Headers({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeNull()
    expect(readCredential(new Headers())).toBeNull()
  })

  it('drops the bearer header and the session cookie but keeps other cookies', () => {
    const headers = new Headers({ authorization: 'Bearer mi_abc', cookie: 'a=1; __session=tok; c=3' })
    dropCredentials(headers)
    expect(headers.get('authorization')).toBeNull()
    expect(headers.get('cookie')).toBe('a=1; c=3')
  })

  it('drops the anonymous session cookie too: it is the edge\'s, not the agent\'s', () => {
    const headers = new Headers({ cookie: 'mi_anon=a.1.b; a=1; __Host-mi_anon=c.2.d; mi_anonymous=kept' })
    dropCredentials(headers)
    expect(headers.get('cookie')).toBe('a=1; mi_anonymous=kept')
    const only = new Headers({ cookie: 'mi_anon=a.1.b' })
    dropCredentials(only)
    expect(only.has('cookie')).toBe(false)
  })
})
