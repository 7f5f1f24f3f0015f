const base = process.memoryUsage().rss
for (const m of ['drizzle-orm/sql/expressions/conditions', 'drizzle-orm/sql/expressions/select', 'drizzle-orm/sql/sql', 'drizzle-orm/sql', 'drizzle-orm/node-postgres', 'drizzle-orm/pg-core', 'drizzle-orm/node-postgres/migrator']) {
  const t = performance.now()
  await import(m)
  console.log(m, Math.round(performance.now() - t), Math.round(process.memoryUsage().rss / 1e6))
}
