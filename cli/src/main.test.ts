// The command line itself: help on every level, exit code 2 for what cannot be parsed, 1 for what fails.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCliHome, runCli, type CliHome } from '../test-support/run-cli.ts'

let home: CliHome
beforeAll(() => {
  home = createCliHome()
})
afterAll(() => home?.remove())

const cli = (...args: string[]) => runCli(args, home)

describe('help', { timeout: 120_000 }, () => {
  it('lists every command with --help, exit 0', async () => {
    const result = await cli('--help')
    expect(result.code).toBe(0)
    for (const command of ['login', 'logout', 'tenants', 'agents', 'keys', 'usage', 'chat']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'))
    expect(result.stdout).toContain('MYINTELL_API_URL')
  })

  it('lists a group\'s subcommands with `agents --help` and `help agents`', async () => {
    for (const args of [['agents', '--help'], ['help', 'agents']]) {
      const result = await cli(...args)
      expect(result.code).toBe(0)
      for (const sub of ['create', 'list', 'get', 'update', 'delete', 'status']) expect(result.stdout).toMatch(new RegExp(`agents ${sub}\\s`))
    }
  })

  it('documents a subcommand\'s own flags and the global ones', async () => {
    const result = await cli('agents', 'create', '--help')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('myintell agents create <slug> [flags]')
    expect(result.stdout).toContain('--system-prompt <TEXT>')
    expect(result.stdout).toContain('--api-url <URL>')
    expect(result.stdout).toContain('--json')
  })

  it('prints its version', async () => {
    const result = await cli('--version')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^myintell \d+\.\d+\.\d+\n$/)
  })

  it('answers --help on every command without needing a login', async () => {
    for (const args of [['login'], ['logout'], ['tenants', 'create'], ['keys', 'revoke'], ['usage'], ['chat'], ['agents', 'status']]) {
      const result = await cli(...args, '--help')
      expect(result.code, args.join(' ')).toBe(0)
      expect(result.stdout).toContain(`myintell ${args.join(' ')}`)
    }
  })
})

describe('usage errors exit 2', { timeout: 120_000 }, () => {
  it('prints the help on stderr and exits 2 when no command is given', async () => {
    const result = await cli()
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('Usage: myintell <command> [flags]')
  })

  it('refuses an unknown flag, pointing at the command\'s help', async () => {
    const result = await cli('agents', 'list', '--frobnicate')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Unknown option '--frobnicate'")
    expect(result.stderr).toContain('myintell agents list --help')
  })

  it('refuses an unknown command and a missing argument', async () => {
    const unknown = await cli('agnets', 'list')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "agnets"')
    const missing = await cli('agents', 'get')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('missing argument: <id|slug>')
    const noSub = await cli('keys')
    expect(noSub.code).toBe(2)
    expect(noSub.stderr).toContain('keys create')
  })

  it('refuses bad flag values before calling anything', async () => {
    const temperature = await cli('agents', 'create', 'zed', '--model', 'm', '--temperature', 'hot', '--key', 'mi_x_y')
    expect(temperature.code).toBe(2)
    expect(temperature.stderr).toContain('--temperature must be a number')
    const url = await cli('tenants', 'list', '--api-url', 'not a url')
    expect(url.code).toBe(2)
    const scope = await cli('keys', 'create', '--name', 'x', '--scope', 'root', '--key', 'mi_x_y')
    expect(scope.code).toBe(2)
    expect(scope.stderr).toContain('unknown scope root')
    const provider = await cli('agents', 'create', 'zed', '--model', 'm', '--provider', '../../etc/passwd', '--key', 'mi_x_y')
    expect(provider.code).toBe(2)
    expect(provider.stderr).toMatch(/--provider must be anthropic or google or openai or openai-compatible .* not "\.\.\//)
  })
})

describe('the environment', { timeout: 120_000 }, () => {
  it('refuses a bad variable with one line per variable, exit 2, and never echoes the key', async () => {
    const result = await runCli(['tenants', 'list'], home, { env: { MYINTELL_API_URL: 'ftp://api.example.test', MYINTELL_DEBUG: 'maybe', MYINTELL_API_KEY: 'mi_secret_value' } })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('MYINTELL_API_URL: must be a http or https URL')
    expect(result.stderr).toContain('MYINTELL_DEBUG: must be one of')
    expect(result.stderr).not.toContain('mi_secret_value')
  })
})

describe('errors exit 1', { timeout: 120_000 }, () => {
  it('says plainly when the platform cannot be reached', async () => {
    // Port 9 (discard) on loopback: nothing listens there in a test environment.
    const result = await cli('tenants', 'list', '--api-url', 'http://127.0.0.1:9', '--key', 'mi_x_y')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('cannot reach http://127.0.0.1:9 (ECONNREFUSED)')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('asks for --agent-url when the API host has no "api." label to replace', async () => {
    const result = await cli('chat', 'demo', '-m', 'hi', '--api-url', 'http://127.0.0.1:9')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('pass --agent-url')
  })
})
