import { defineConfig } from 'drizzle-kit'

// Only generation reads this file; migrations are applied by `npm run db:migrate`, which sends
// them through the same Neon HTTP driver that the Worker uses.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
})
