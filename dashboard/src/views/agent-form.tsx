// Create or edit a superfriend: name, slug (its subdomain, checked live against the platform's rules in
// wire/slug.ts), persona, model, visibility, its built-in tools and MCP servers. The server has the last word (a taken
// slug is 409; an MCP URL on a private address or a header naming a missing secret is 422 naming the field).
import { useState } from 'preact/hooks'
import { BUILTIN_TOOLS, DEFAULT_TOOLS, MAX_MCP_SERVERS } from '../../../wire/agent-tools.ts'
import type { ModelProviderName } from '../../../wire/model-providers.ts'
import { checkSlug } from '../../../wire/slug.ts'
import { hosts } from '../api/hosts.ts'
import { ApiProblem } from '../api/http.ts'
import { createAgent, updateAgent, type Agent, type AgentInput, type McpServer, type Visibility } from '../api/platform.ts'
import { useWorkspace } from '../context.ts'
import { slugFromName } from '../format.ts'
import { href, navigate } from '../router.ts'

/** Providers the runtime implements (wire/model-providers.ts, which the platform validates against) with a sensible first model. */
export const PROVIDERS: ReadonlyArray<{ id: ModelProviderName; label: string; defaultModel: string }> = [
  { id: 'anthropic', label: 'Anthropic', defaultModel: 'claude-sonnet-4-5' },
  { id: 'openai', label: 'OpenAI', defaultModel: 'gpt-4.1-mini' },
  { id: 'openai-compatible', label: 'OpenAI-compatible server', defaultModel: 'default' },
  { id: 'ollama', label: 'Ollama', defaultModel: 'llama3.2' },
  { id: 'local', label: 'Local dev model (offline echo, for testing)', defaultModel: 'local-dev' },
]

const TOOL_HELP: Record<string, string> = {
  memory: 'remember, forget and search what it keeps',
  workspace: 'read and write files in its own workspace',
  http_fetch: 'fetch public web pages and APIs',
  clock: 'know the current time',
}

/** An MCP server as the form edits it: one header (most servers take one token); any others are kept as they were. */
interface ServerDraft { key: number; name: string; url: string; header: string; secret: string; otherHeaders: Record<string, string> }
let draftCounter = 0
function toDraft(server: McpServer): ServerDraft {
  const [first, ...rest] = Object.entries(server.headers ?? {})
  return { key: ++draftCounter, name: server.name, url: server.url, header: first?.[0] ?? '', secret: first?.[1] ?? '', otherHeaders: Object.fromEntries(rest) }
}
function fromDraft(draft: ServerDraft): McpServer {
  const headers = { ...draft.otherHeaders, ...(draft.header.trim() ? { [draft.header.trim()]: draft.secret.trim() } : {}) }
  return { name: draft.name.trim(), url: draft.url.trim(), ...(Object.keys(headers).length ? { headers } : {}) }
}

export function AgentFormPage(props: { slug: string | null }) {
  const workspace = useWorkspace()
  if (props.slug === null) return <AgentForm existing={null} />
  if (!workspace.agents) return <p role="status">Loading…</p>
  const agent = workspace.agents.find((a) => a.slug === props.slug)
  if (!agent) return <section><h1 tabIndex={-1}>Not found</h1><p>No superfriend <code>{props.slug}</code> in this workspace. <a href={href.superfriends()}>Back to the list</a></p></section>
  return <AgentForm existing={agent} key={agent.id} />
}

function AgentForm(props: { existing: Agent | null }) {
  const workspace = useWorkspace()
  const existing = props.existing
  const [name, setName] = useState(existing?.name ?? '')
  const [slug, setSlug] = useState(existing?.slug ?? '')
  const [slugEdited, setSlugEdited] = useState(!!existing)
  const [systemPrompt, setSystemPrompt] = useState(existing?.persona.systemPrompt ?? '')
  const [style, setStyle] = useState(existing?.persona.style ?? '')
  const [provider, setProvider] = useState(existing?.model.provider ?? PROVIDERS[0]!.id)
  const [model, setModel] = useState(existing?.model.model ?? PROVIDERS[0]!.defaultModel)
  const [visibility, setVisibility] = useState<Visibility>(existing?.visibility ?? 'private')
  const [tools, setTools] = useState<string[]>(existing?.tools ?? [...DEFAULT_TOOLS])
  const [servers, setServers] = useState<ServerDraft[]>(() => (existing?.mcpServers ?? []).map(toDraft))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [slugTaken, setSlugTaken] = useState<string | null>(null)

  const slugProblem = checkSlug(slug)
  const slugMessage = slug === '' ? 'Choose the subdomain your superfriend answers on.'
    : slugProblem ? `The slug ${slugProblem.message}.`
    : slugTaken === slug ? `${slug} is already taken; choose another.`
    : `Available as ${hosts.agentHost(slug)} (if nobody has taken it).`
  const slugInvalid = slug !== '' && (!!slugProblem || slugTaken === slug)

  const onName = (value: string) => {
    setName(value)
    if (!slugEdited) setSlug(slugFromName(value))
  }
  const onProvider = (value: string) => {
    const previousDefault = PROVIDERS.find((p) => p.id === provider)?.defaultModel
    setProvider(value)
    if (model === '' || model === previousDefault) setModel(PROVIDERS.find((p) => p.id === value)?.defaultModel ?? '')
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    if (slugProblem) return
    setBusy(true)
    setError(null)
    const input: AgentInput = {
      name: name.trim(), slug, visibility,
      persona: { systemPrompt, style },
      model: { ...(existing?.model ?? {}), provider, model: model.trim() },
      tools: BUILTIN_TOOLS.filter((tool) => tools.includes(tool)),
      mcpServers: servers.map(fromDraft),
    }
    try {
      const credentials = await workspace.credentials()
      const saved = existing ? await updateAgent(credentials, existing.id, changedFields(existing, input)) : await createAgent(credentials, input)
      workspace.rememberAgent(saved)
      navigate(existing ? href.superfriends() : href.chat(saved.slug))
    } catch (e) {
      if (e instanceof ApiProblem && e.code === 'slug-taken') setSlugTaken(slug)
      setError(e instanceof ApiProblem ? (e.detail ?? e.title) : e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section>
      <h1 tabIndex={-1}>{existing ? `Edit ${existing.name}` : 'New superfriend'}</h1>
      <form class="card form" onSubmit={submit} noValidate>
        <label for="agent-name">Name</label>
        <input id="agent-name" required maxLength={200} value={name} onInput={(e) => onName(e.currentTarget.value)} />

        <label for="agent-slug">Slug (subdomain)</label>
        <div class="slug-field">
          <input id="agent-slug" required maxLength={100} autoCapitalize="off" autoComplete="off" spellcheck={false}
            value={slug} aria-invalid={slugInvalid ? 'true' : 'false'} aria-describedby="agent-slug-help"
            onInput={(e) => { setSlug(e.currentTarget.value); setSlugEdited(true) }} />
          <span class="suffix">.{hosts.base}</span>
        </div>
        <p id="agent-slug-help" class={slugInvalid ? 'error' : 'hint'} aria-live="polite">{slugMessage}</p>
        {existing && slug !== existing.slug && <p class="warning">Changing the slug moves the superfriend to a new address; the old one stops answering.</p>}

        <label for="agent-prompt">Persona: who is it?</label>
        <textarea id="agent-prompt" rows={4} maxLength={50_000} placeholder="You are Ada, a patient tutor who loves mathematics."
          value={systemPrompt} onInput={(e) => setSystemPrompt(e.currentTarget.value)} />
        <label for="agent-style">Persona: how does it talk?</label>
        <input id="agent-style" maxLength={5_000} placeholder="warm, concise, a little playful" value={style} onInput={(e) => setStyle(e.currentTarget.value)} />

        <div class="row">
          <div>
            <label for="agent-provider">Model provider</label>
            <select id="agent-provider" value={provider} onChange={(e) => onProvider(e.currentTarget.value)}>
              {PROVIDERS.map((p) => <option value={p.id}>{p.label}</option>)}
              {!PROVIDERS.some((p) => p.id === provider) && <option value={provider}>{provider}</option>}
            </select>
          </div>
          <div>
            <label for="agent-model">Model</label>
            <input id="agent-model" required maxLength={200} value={model} onInput={(e) => setModel(e.currentTarget.value)} />
          </div>
        </div>

        <fieldset>
          <legend>Who may talk to it?</legend>
          <label class="choice"><input type="radio" name="visibility" value="private" checked={visibility === 'private'} onChange={() => setVisibility('private')} />
            Private: only this workspace (signed-in members and its API keys)</label>
          <label class="choice"><input type="radio" name="visibility" value="public" checked={visibility === 'public'} onChange={() => setVisibility('public')} />
            Public: anyone who knows the address</label>
        </fieldset>

        <fieldset class="tools">
          <legend>Tools it may use</legend>
          {BUILTIN_TOOLS.map((tool) => (
            <label class="choice"><input type="checkbox" name="tool" value={tool} checked={tools.includes(tool)}
              onChange={(e) => { const on = e.currentTarget.checked; setTools((list) => (on ? [...list, tool] : list.filter((t) => t !== tool))) }} />
              <code>{tool}</code> — {TOOL_HELP[tool] ?? tool}</label>
          ))}
        </fieldset>

        <fieldset class="mcp-servers">
          <legend>MCP servers</legend>
          <p class="hint">Their tools become {name.trim() || 'its'} tools, named <code>server__tool</code>. A header sends one of its secrets
            {existing ? <> (<a href={href.secrets(existing.slug)}>set them on its Secrets page</a>)</> : ' (set them once it exists)'}.</p>
          {servers.map((server, index) => {
            const update = (change: Partial<ServerDraft>) => setServers((list) => list.map((s) => (s.key === server.key ? { ...s, ...change } : s)))
            return (
              <div class="mcp-server" data-mcp-server={index}>
                <label for={`mcp-name-${server.key}`}>Server name</label>
                <input id={`mcp-name-${server.key}`} maxLength={32} autoCapitalize="off" spellcheck={false} placeholder="github"
                  value={server.name} onInput={(e) => update({ name: e.currentTarget.value })} />
                <label for={`mcp-url-${server.key}`}>Server URL</label>
                <input id={`mcp-url-${server.key}`} type="url" placeholder="https://mcp.example.com/mcp" value={server.url} onInput={(e) => update({ url: e.currentTarget.value })} />
                <label for={`mcp-header-${server.key}`}>Header (optional)</label>
                <input id={`mcp-header-${server.key}`} autoCapitalize="off" spellcheck={false} placeholder="authorization" value={server.header} onInput={(e) => update({ header: e.currentTarget.value })} />
                <label for={`mcp-secret-${server.key}`}>Secret it sends</label>
                <input id={`mcp-secret-${server.key}`} autoCapitalize="characters" spellcheck={false} placeholder="GITHUB_MCP_TOKEN" value={server.secret} onInput={(e) => update({ secret: e.currentTarget.value })} />
                <button type="button" class="danger" aria-label={`Remove MCP server ${server.name || index + 1}`}
                  onClick={() => setServers((list) => list.filter((s) => s.key !== server.key))}>Remove</button>
              </div>
            )
          })}
          <button type="button" disabled={servers.length >= MAX_MCP_SERVERS}
            onClick={() => setServers((list) => [...list, { key: ++draftCounter, name: '', url: '', header: '', secret: '', otherHeaders: {} }])}>Add an MCP server</button>
        </fieldset>

        {error && <p role="alert" class="error">{error}</p>}
        <div class="actions">
          <a class="button" href={href.superfriends()}>Cancel</a>
          <button type="submit" class="primary" disabled={busy || !!slugProblem || !name.trim() || !model.trim()}>
            {busy ? 'Saving…' : existing ? 'Save changes' : 'Create superfriend'}
          </button>
        </div>
      </form>
    </section>
  )
}

function changedFields(before: Agent, after: AgentInput): Partial<AgentInput> {
  const patch: Partial<AgentInput> = {}
  if (after.name !== before.name) patch.name = after.name
  if (after.slug !== before.slug) patch.slug = after.slug
  if (after.visibility !== before.visibility) patch.visibility = after.visibility
  if (JSON.stringify(after.persona) !== JSON.stringify(before.persona)) patch.persona = after.persona
  if (JSON.stringify(after.model) !== JSON.stringify(before.model)) patch.model = after.model
  if (after.tools && JSON.stringify(after.tools) !== JSON.stringify(BUILTIN_TOOLS.filter((tool) => before.tools.includes(tool)))) patch.tools = after.tools
  if (after.mcpServers && JSON.stringify(after.mcpServers) !== JSON.stringify(before.mcpServers)) patch.mcpServers = after.mcpServers
  return patch
}
