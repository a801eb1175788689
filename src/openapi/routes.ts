import { swaggerUI } from '@hono/swagger-ui'
import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { openApiDocument } from './document'

export const openApiRoutes = new Hono<AppEnv>()
  .get('/openapi.json', (c) => c.json(openApiDocument()))
  .get('/docs', swaggerUI({ url: '/openapi.json', persistAuthorization: false }))
