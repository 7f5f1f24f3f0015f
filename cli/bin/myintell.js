#!/usr/bin/env node
// The `myintell` executable: checks that Node can run TypeScript directly (22.12+ strips types), then starts the CLI.
// Plain JavaScript on purpose, so an older Node gets this message rather than a syntax error.

const [major, minor] = process.versions.node.split('.').map(Number)
// 22.12 is the project's floor; type stripping must also be on (default from 22.18, a flag before).
if (major < 22 || (major === 22 && minor < 12) || !process.features?.typescript) {
  process.stderr.write(`myintell needs Node.js 22.12 or newer with TypeScript type stripping (this is ${process.version}).\n` +
    'Run it through npm (`npx myintell …`), which uses the Node from the project\'s node_modules, or upgrade Node.\n')
  process.exit(1)
}

const { run } = await import('../src/main.ts')
await run()
