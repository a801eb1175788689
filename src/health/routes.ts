import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import type { AppEnv } from '../env'
import { ApiError } from '../lib/errors'
import { openApiSchema } from '../lib/openapi-schema'
import { failure, internalFailure, RETRY_AFTER } from '../openapi/describe'

const describeHealth = describeRoute({
  summary: 'Liveness and a database round trip',
  tags: ['service'],
  responses: {
    '200': {
      description: 'The API and its database are reachable',
      content: {
        'application/json': {
          schema: openApiSchema(
            z.object({
              success: z.literal(true),
              status: z.literal('ok'),
              message: z.string(),
              data: z.object({ database: z.literal('ok'), databaseLatencyMs: z.number() }),
            }),
            'output',
          ),
        },
      },
    },
    ...internalFailure,
    '503': failure('Database unreachable (`service_unavailable`)', RETRY_AFTER),
  },
})

export const healthRoutes = new Hono<AppEnv>().get('/', describeHealth, async (c) => {
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
    data: { database: 'ok' as const, databaseLatencyMs: Date.now() - started },
  })
})
