const t = performance.now()
await import('../src/runtime.ts')
console.log('import ms', Math.round(performance.now() - t))
