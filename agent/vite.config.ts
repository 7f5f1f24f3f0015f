// Vite (rolldown) build of the agent runtime: agent/dist/runtime.mjs, one ESM bundle with its dependencies inlined.
// What every runtime process runs (local driver, tests, the image): no TypeScript stripping, no module-per-file loading.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

const here = import.meta.dirname

export default defineConfig({
  root: here,
  publicDir: false,
  // Bundle every dependency: the image then needs no node_modules, and only what the runtime uses is loaded.
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: resolve(here, 'src/main.ts'),
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'node22',
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        format: 'esm',
        // Compact, but names are kept so that stack traces in the log stay readable.
        minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
        entryFileNames: 'runtime.mjs',
        // Dynamic imports (ws, loaded on the first WebSocket) become chunks loaded only when needed.
        chunkFileNames: 'chunks/[name]-[hash].mjs',
        // One non-ASCII character makes V8 hold the whole source as UTF-16, twice the memory.
        charset: 'ascii',
      },
    },
  },
})
