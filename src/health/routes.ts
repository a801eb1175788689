import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { ApiError } from '../lib/errors'

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const started = Date.now()
  try {
    await c.var.db.execute(sql`select 1`)
  } catch (error) {
    throw new ApiError(503, 'service_unavailable', 'The database is unreachable', {
      cause: error,
      headers: { 'Retry-After': '5' },
    })
  }
  c.header('Cache-Control', 'no-store')
  return c.json({
    success: true,
    status: 'ok',
    message: 'The API and its database are reachable',
    data: { database: 'ok', databaseLatencyMs: Date.now() - started },
  })
})
