/**
 * neon-local: an HTTP endpoint that speaks Neon's SQL-over-HTTP protocol in front of a local
 * PostgreSQL (a real server, or embedded PGlite), so the Worker runs its production driver
 * (`@neondatabase/serverless` + `drizzle-orm/neon-http`) in development and tests.
 * A development and test tool only: nothing here is part of the Worker bundle.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createSecret, isLoopbackHost, secretCheck } from './access'
import { trackAvailability } from './availability'
import { type Backend, pgliteBackend, serverBackend } from './backend'
import { readBody, sendJson, singleHeader } from './http'
import { memoize } from './memo'
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
  maskPassword,
  redactPassword,
} from './urls'

export interface NeonLocalOptions {
  /** postgresql:// URL of a real server. When absent, an embedded PGlite is used. */
  databaseUrl?: string
  /** PGlite data directory (persisted). When absent with no databaseUrl: in-memory PGlite. */
  pgliteDataDir?: string
  /** A loopback address (the default, 127.0.0.1): the endpoint refuses to listen elsewhere. */
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
   * The postgresql:// URL the Worker uses as DATABASE_URL with this endpoint. Its password is the
   * secret made for this run, which every request must carry: a secret itself, never to be
   * logged. The endpoint routes every request to its single backend, whatever the URL names.
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
  if (!isLoopbackHost(host.includes(':') ? `[${host}]` : host)) {
    throw new Error(`neon-local listens on loopback addresses only, not ${host}`)
  }
  if (options.databaseUrl !== undefined && !isPostgresUrl(options.databaseUrl)) {
    throw new Error('databaseUrl must be a postgresql:// URL')
  }
  const secret = createSecret()
  const holdsSecret = secretCheck(secret)
  // The same Host and connection string arrive with every request: parsed once each.
  const loopbackHost = memoize(isLoopbackHost)
  const keyOf = memoize(connectionKey)
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
    const key = keyOf(connectionString)
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
    // A refused request's body is left unread; closing the connection keeps the client from
    // sending its next request after those bytes on the same one.
    const refuse = (status: number, message: string) =>
      sendJson(res, status, { message }, { connection: 'close' })
    if (req.headers.host === undefined || !loopbackHost(req.headers.host)) {
      refuse(403, 'neon-local answers only requests addressed to localhost, 127.0.0.0/8 or [::1]')
      return
    }
    const pathname =
      req.url === '/sql' ? req.url : new URL(req.url ?? '/', 'http://neon-local').pathname
    if (pathname !== '/sql' && pathname !== STATS_PATH) {
      refuse(404, `no such endpoint: ${pathname}`)
      return
    }
    const connectionString = singleHeader(req.headers['neon-connection-string'])
    if (!connectionString || !holdsSecret(connectionString)) {
      refuse(
        401,
        connectionString
          ? "the Neon-Connection-String's password is not this neon-local's secret: use the connection string it was started with"
          : "missing Neon-Connection-String header (its password is this neon-local's secret)",
      )
      return
    }
    if (pathname === '/sql' && req.method === 'POST') {
      await handleSql(req, res, connectionString)
    } else if (pathname === STATS_PATH && req.method === 'GET') {
      sendJson(res, 200, snapshot())
    } else {
      refuse(405, `${req.method} is not allowed on ${pathname}`)
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
  const connectionString = `postgresql://neon_local:${secret}@${urlHost}:${port}/${encodeURIComponent(backend.database)}`

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
