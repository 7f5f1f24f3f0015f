// `myintell tenants list|create|use`: the workspaces you belong to, and which one commands act for.

import type { Command, CommandGroup } from '../command.ts'
import { str } from '../command.ts'
import { isUuid, type Tenant } from '../api-client.ts'
import { clientFor } from '../client-for.ts'
import { configPath, readConfig, writeConfig } from '../config-store.ts'
import { CliError } from '../errors.ts'
import { printFields, printJson, printTable, wantsJson } from '../output.ts'

const list: Command = {
  name: 'tenants list',
  summary: 'List the tenants you belong to',
  args: '',
  flags: {},
  positionals: [0, 0],
  async run(invocation) {
    const { io, flags } = invocation
    const client = clientFor(invocation)
    const { items } = await client.get<{ items: Tenant[] }>('/v1/tenants')
    if (wantsJson(flags)) return printJson(io, items)
    const chosen = readConfig(configPath(io.env))?.tenantId
    printTable(io, ['ID', 'SLUG', 'NAME', 'ROLE', ''], items.map((t) => [t.id, t.slug, t.name, t.role, t.id === chosen ? '(in use)' : '']), 'No tenants yet: create one with `myintell tenants create <slug> --name <name>`.')
  },
}

const create: Command = {
  name: 'tenants create',
  summary: 'Create a tenant; you become its owner',
  args: '<slug> [flags]',
  flags: { name: { type: 'string', value: 'NAME', description: 'display name (default: the slug)' } },
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const slug = positionals[0]!
    const tenant = await clientFor(invocation).post<Tenant>('/v1/tenants', { slug, name: str(flags, 'name') ?? slug }, { tenant: false })
    if (wantsJson(flags)) return printJson(io, tenant)
    io.stdout.write(`Created tenant ${tenant.slug} (${tenant.id}).\n`)
  },
}

const use: Command = {
  name: 'tenants use',
  summary: 'Act for this tenant from now on (stored with the login)',
  args: '<id|slug>',
  flags: {},
  positionals: [1, 1],
  async run(invocation) {
    const { io, flags, positionals } = invocation
    const path = configPath(io.env)
    const config = readConfig(path)
    if (!config) throw new CliError('`tenants use` is stored with the login: run `myintell login` first, or pass --tenant to each command')
    const client = clientFor(invocation)
    if (client.apiUrl !== config.apiUrl) throw new CliError(`the login is for ${config.apiUrl}, not ${client.apiUrl}`)
    const wanted = positionals[0]!
    const { items } = await client.call<{ items: Tenant[] }>('GET', '/v1/tenants')
    const tenant = items.find((t) => (isUuid(wanted) ? t.id === wanted : t.slug === wanted))
    if (!tenant) throw new CliError(`no tenant "${wanted}" among yours (${items.map((t) => t.slug).join(', ') || 'none'})`)
    writeConfig({ ...config, tenantId: tenant.id }, path)
    if (wantsJson(flags)) return printJson(io, tenant)
    printFields(io, [['Using tenant', `${tenant.slug} (${tenant.id})`]])
  },
}

export const tenants: CommandGroup = { name: 'tenants', summary: 'Tenants: list, create, choose the one to act for', commands: [list, create, use] }
