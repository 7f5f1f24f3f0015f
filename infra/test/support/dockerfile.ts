// A small Dockerfile reader: instructions with continuation lines joined, grouped into stages.

export interface Instruction {
  keyword: string
  args: string
  line: number
}

export interface Stage {
  from: string
  name: string | undefined
  instructions: Instruction[]
}

export interface Dockerfile {
  args: Record<string, string>
  stages: Stage[]
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = []
  let buffer = ''
  let startLine = 0
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd()
    if (buffer === '' && (line.trim() === '' || line.trim().startsWith('#'))) return
    if (buffer !== '' && line.trim().startsWith('#')) return
    if (buffer === '') startLine = i + 1
    buffer += (buffer ? ' ' : '') + line.replace(/\\$/, '').trim()
    if (line.endsWith('\\')) return
    const m = /^(\S+)\s*(.*)$/.exec(buffer)
    if (m) instructions.push({ keyword: (m[1] as string).toUpperCase(), args: m[2] as string, line: startLine })
    buffer = ''
  })

  const result: Dockerfile = { args: {}, stages: [] }
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)
      const image = (m?.[1] ?? ins.args).replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => result.args[name] ?? `$${name}`)
      result.stages.push({ from: image, name: m?.[2], instructions: [] })
    } else if (result.stages.length === 0 && ins.keyword === 'ARG') {
      const [name, value = ''] = ins.args.split('=')
      result.args[name as string] = value
    } else {
      result.stages.at(-1)?.instructions.push(ins)
    }
  }
  return result
}

/** Sources of a COPY/ADD (without --from, or with --chown etc. stripped); the last word is the destination. */
export function copySources(ins: Instruction): { from: string | undefined; sources: string[] } {
  const words = ins.args.startsWith('[') ? (JSON.parse(ins.args) as string[]) : ins.args.split(/\s+/)
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length)
  const plain = words.filter((w) => !w.startsWith('--'))
  return { from, sources: plain.slice(0, -1) }
}
