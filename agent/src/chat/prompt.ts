// Builds the system prompt from the persona (name, prompt, style), the agent's memories, notes about its tools and a
// note about dropped turns.
import type { RuntimeConfig } from '../../../wire/runtime.ts'
import { MEMORY_SECTION_HEADER } from '../providers/local.ts'

export function systemPrompt(config: RuntimeConfig, memories: string[], earlier: string | null, toolNotes: readonly string[] = []): string {
  const parts = [`Your name is ${config.name}.`]
  if (config.persona.systemPrompt.trim()) parts.push(config.persona.systemPrompt.trim())
  if (config.persona.style.trim()) parts.push(`Style: ${config.persona.style.trim()}`)
  if (memories.length > 0) parts.push(`${MEMORY_SECTION_HEADER}\n${memories.map((m) => `- ${m}`).join('\n')}`)
  if (toolNotes.length > 0) parts.push(toolNotes.join('\n'))
  if (earlier) parts.push(earlier)
  return parts.join('\n\n')
}
