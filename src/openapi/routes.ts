import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { openApiDocument } from './document'

// Swagger UI itself (/docs) is static assets (public/docs.html, public/docs/): only the document
// it reads is the Worker's.
export const openApiRoutes = new Hono<AppEnv>().get('/openapi.json', (c) =>
  c.json(openApiDocument()),
)
