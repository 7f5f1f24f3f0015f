// Runs tools the way the tool loop will: through the AI SDK's generateText, with a model that calls the given tools in
// its first step and answers in its second. What comes back is what the model was sent in that second step, so a
// test asserts on exactly what a real model would read (a result, or an error text it can act on).
import { generateText, isStepCount } from 'ai'
import type { ToolSet } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
}

/** What the model read for one call: its tool's output (`json`/`text`) or an error (`error-text`/`error-json`). */
export interface SeenResult {
  toolName: string
  type: string
  value: unknown
}

/** Calls each of `calls` (in one step, in parallel as a model may) and returns what the model was sent back. */
export async function runToolCalls(tools: ToolSet, calls: { toolName: string; input: unknown }[]): Promise<SeenResult[]> {
  const model = new MockLanguageModelV4({
    doGenerate: async () => {
      if (model.doGenerateCalls.length === 1) {
        return {
          content: calls.map((c, i) => ({ type: 'tool-call' as const, toolCallId: `call-${i}`, toolName: c.toolName, input: JSON.stringify(c.input) })),
          finishReason: { unified: 'tool-calls' as const, raw: 'tool_use' },
          usage,
          warnings: [],
        }
      }
      return { content: [{ type: 'text' as const, text: 'done' }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] }
    },
  })
  await generateText({ model, tools, prompt: 'use the tools', stopWhen: isStepCount(2) })
  const second = model.doGenerateCalls[1]
  if (!second) throw new Error('the model was not called a second time: the tool step did not complete')
  // Results in the order of the calls (the SDK may finish parallel calls in any order).
  return calls.map((_, i) => {
    const part = second.prompt.flatMap((m) => (m.role === 'tool' ? m.content : [])).find((p) => p.type === 'tool-result' && p.toolCallId === `call-${i}`)
    if (!part || part.type !== 'tool-result') throw new Error(`no result for call-${i}`)
    const output = part.output as { type: string; value?: unknown }
    return { toolName: part.toolName, type: output.type, value: output.value }
  })
}

/** One call, and what the model read back. */
export async function runTool(tools: ToolSet, toolName: string, input: unknown): Promise<SeenResult> {
  const [result] = await runToolCalls(tools, [{ toolName, input }])
  return result!
}

export const isError = (r: SeenResult) => r.type.startsWith('error')

/** The tool definitions the model is offered for `tools` (names, descriptions, JSON schemas), as a provider gets them. */
export async function offeredTools(tools: ToolSet) {
  const model = new MockLanguageModelV4({
    doGenerate: async () => ({ content: [{ type: 'text' as const, text: 'ok' }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] }),
  })
  await generateText({ model, tools, prompt: 'which tools are there?' })
  return model.doGenerateCalls[0]?.tools ?? []
}
