const m = process.argv[2]!
const t = performance.now()
if (m !== 'none') await import(m)
;(globalThis as any).gc?.()
await new Promise((r) => setTimeout(r, 100))
console.log(m.padEnd(40), Math.round(performance.now() - t), 'ms', Math.round(process.memoryUsage().rss / 1e6), 'MB rss', Math.round(process.memoryUsage().heapUsed / 1e6), 'MB heap')
