// An agent's workspace on this machine (local driver): `<root>/<agent id>`, made on the agent's first spec, owner-only.
// The runtime confines the `workspace` tool to it; the directory's mode keeps other local users out as well.

import { chmod, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isId } from '../db/ids.ts'

export async function ensureWorkspaceDir(root: string, agentId: string): Promise<string> {
  // The id is the only path segment: a malformed one must not name a directory outside the root.
  if (!isId(agentId)) throw new Error(`not an agent id: ${agentId}`)
  await mkdir(root, { recursive: true, mode: 0o700 })
  const dir = join(root, agentId)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // mkdir's mode is masked by the umask and leaves an existing directory as it was.
  await chmod(dir, 0o700)
  return dir
}
