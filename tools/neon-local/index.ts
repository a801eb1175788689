/**
 * neon-local: an HTTP endpoint that speaks Neon's SQL-over-HTTP protocol in front of a local
 * PostgreSQL (a real server, or embedded PGlite), so the Worker runs its production driver
 * (`@neondatabase/serverless` + `drizzle-orm/neon-http`) in development and tests.
 * A development and test tool only: nothing here is part of the Worker bundle.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { trackAvailability } from './availability'
import { type Backend, pgliteBackend, serverBackend } from './backend'
import { CORS_HEADERS, readBody, sendJson, singleHeader } from './http'
import { DatabaseUnavailableError } from './pool'
import {
  databaseErrorBody,
  executeBatch,
  executeSingle,
  HttpError,
  parseBatchOptions,
  parseSqlRequest,
} from './protocol'
import { connectionKey, isPostgresUrl, redactPassword } from './urls'

export {
  connectionKey,
  describeDatabaseUrl,
  isNeonHost,
  isPostgresUrl,
  redactPassword,
} from './urls'

export interface NeonLocalOptions {
  /** postgresql:// URL of a real server. When absent, an embedded PGlite is used. */
  databaseUrl?: string
  /** PGlite data directory (persisted). When absent with no databaseUrl: in-memory PGlite. */
  pgliteDataDir?: string
  host?: string
  port?: number
  /** Told when the database becomes unavailable and when it is back (never a secret). */
  log?: (message: string) => void
}

export interface NeonLocalStats {
  requests: number
  byConnection: Record<string, number>
}

export interface NeonLocal {
  /** e.g. http://127.0.0.1:41234/sql — what the Worker sets as neonConfig.fetchEndpoint */
  readonly endpoint: string
  /**
   * A postgresql:// URL the Worker can use as DATABASE_URL with this endpoint (the driver needs a
   * well-formed one; the endpoint routes every request to its single backend).
   */
  readonly connectionString: string
  /** Which database serves the requests, for log lines (no password). */
  readonly backend: string
  /** Round trips served so far: total, and per connection string (see `connectionKey`). */
  stats(): NeonLocalStats
  close(): Promise<void>
}

export const STATS_PATH = '/_neon_local/stats'

/** What a 503 asks the client to wait before it sends the same request again. */
export const RETRY_AFTER_SECONDS = 1

export async function startNeonLocal(options: NeonLocalOptions = {}): Promise<NeonLocal> {
  const host = options.host ?? '127.0.0.1'
  if (options.databaseUrl !== undefined && !isPostgresUrl(options.databaseUrl)) {
    throw new Error('databaseUrl must be a postgresql:// URL')
  }
  const backend: Backend = options.databaseUrl
    ? serverBackend(options.databaseUrl)
    : await pgliteBackend(options.pgliteDataDir)
  const availability = trackAvailability(options.log, options.databaseUrl)

  let requests = 0
  const byConnection = new Map<string, number>()
  const snapshot = (): NeonLocalStats => ({
    requests,
    byConnection: Object.fromEntries(byConnection),
  })

  async function handleSql(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    connectionString: string,
  ): Promise<void> {
    requests++
    const key = connectionKey(connectionString)
    byConnection.set(key, (byConnection.get(key) ?? 0) + 1)
    const request = parseSqlRequest(await readBody(req))
    const arrayMode = singleHeader(req.headers['neon-array-mode'])?.toLowerCase() === 'true'
    try {
      let result: unknown
      if (request.kind === 'single') {
        result = await executeSingle(backend.pool, request.query, arrayMode)
      } else {
        const batchOptions = parseBatchOptions({
          'neon-batch-isolation-level': singleHeader(req.headers['neon-batch-isolation-level']),
          'neon-batch-read-only': singleHeader(req.headers['neon-batch-read-only']),
          'neon-batch-deferrable': singleHeader(req.headers['neon-batch-deferrable']),
        })
        result = await executeBatch(backend.pool, request.queries, batchOptions, arrayMode)
      }
      availability.succeeded()
      sendJson(res, 200, result)
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        availability.failed(error)
        sendJson(res, 503, availability.body(error), {
          'retry-after': String(RETRY_AFTER_SECONDS),
        })
        return
      }
      if (error instanceof pg.DatabaseError) {
        availability.succeeded()
        sendJson(res, 400, databaseErrorBody(error))
        return
      }
      throw error
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://neon-local').pathname
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS)
      res.end()
    } else if (pathname === '/sql' && req.method === 'POST') {
      const connectionString = singleHeader(req.headers['neon-connection-string'])
      if (!connectionString) {
        requests++
        await readBody(req)
        throw new HttpError(400, 'missing Neon-Connection-String header')
      }
      await handleSql(req, res, connectionString)
    } else if (pathname === STATS_PATH && req.method === 'GET') {
      sendJson(res, 200, snapshot())
    } else if (pathname === '/sql' || pathname === STATS_PATH) {
      sendJson(res, 405, { message: `${req.method} is not allowed on ${pathname}` })
    } else {
      sendJson(res, 404, { message: `no such endpoint: ${pathname}` })
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendJson(res, error.status, { message: error.message })
      } else {
        const message = error instanceof Error ? error.message : String(error)
        sendJson(res, 500, {
          message: `neon-local: ${redactPassword(message, options.databaseUrl)}`,
        })
      }
    })
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await backend.close().catch(() => undefined)
    throw error
  }
  // After start-up, a failing socket must not take the process down with it.
  server.on('error', () => undefined)
  // Node closes idle keep-alive connections after 5 s; a client (workerd, undici) reusing one at
  // that instant sees "Network connection lost". close() ends them all anyway.
  server.keepAliveTimeout = 10 * 60 * 1000

  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  const endpoint = `http://${urlHost}:${port}/sql`
  const connectionString = `postgresql://neon_local@${urlHost}:${port}/${encodeURIComponent(backend.database)}`

  let closing: Promise<void> | undefined
  return {
    endpoint,
    connectionString,
    backend: backend.description,
    stats: snapshot,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await stopped
        await backend.close()
      })()
      return closing
    },
  }
}
