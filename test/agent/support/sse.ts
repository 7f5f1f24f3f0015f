// Reads a whole text/event-stream response into a list of { event, data } frames (data parsed as JSON when possible).
export interface Frame {
  event: string
  data: any
}

export async function readSse(res: Response): Promise<Frame[]> {
  const text = await res.text()
  const frames: Frame[] = []
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7)
      else if (line.startsWith('data: ')) data.push(line.slice(6))
    }
    const raw = data.join('\n')
    let parsed: unknown = raw
    try { parsed = JSON.parse(raw) } catch { /* plain text such as [DONE] */ }
    frames.push({ event, data: parsed })
  }
  return frames
}
