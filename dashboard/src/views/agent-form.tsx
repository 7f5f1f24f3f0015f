// Create or edit a superfriend: name, slug (its subdomain, checked live against the platform's rules in
// wire/slug.ts), persona, model and visibility. The server has the last word (a taken slug is 409).
import { useState } from 'preact/hooks'
import type { ModelProviderName } from '../../../wire/model-providers.ts'
import { checkSlug } from '../../../wire/slug.ts'
import { hosts } from '../api/hosts.ts'
import { ApiProblem } from '../api/http.ts'
import { createAgent, updateAgent, type Agent, type AgentInput, type Visibility } from '../api/platform.ts'
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
  return patch
}
