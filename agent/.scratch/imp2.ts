for (const m of ['pino', 'zod', 'hono', '@hono/node-server', 'pg', 'drizzle-orm', 'drizzle-orm/node-postgres', 'drizzle-orm/pg-core', 'drizzle-orm/node-postgres/migrator', 'ws']) {
  const t = performance.now()
  await import(m)
  console.log(m, Math.round(performance.now() - t), Math.round(process.memoryUsage().rss / 1e6))
}
