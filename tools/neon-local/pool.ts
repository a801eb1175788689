/**
 * The `pg` pool behind the endpoint, made to outlive its database: a PostgreSQL that stops or
 * restarts (or a PGlite socket that closes) fails the requests of that moment with
 * `DatabaseUnavailableError`, never the process, and the next request opens a fresh connection.
 */
import pg from 'pg'

/** The database could not be reached, or went away under a request: worth retrying later. */
export class DatabaseUnavailableError extends Error {
  constructor(
    /** SQLSTATE for the answer: the server's own when it sent one, else class 08. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'DatabaseUnavailableError'
  }
}

// Socket-level failures: nothing was said by PostgreSQL, the connection just is not there.
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT', // a Unix socket path with no server behind it
])

// pg's own words for a connection that is gone, or was never made in time.
const LOST_CONNECTION =
  /Connection terminated|not queryable|timeout exceeded when trying to connect/i

/**
 * SQLSTATEs that mean "this server cannot serve now" rather than "this query is wrong":
 * class 08 (connection exception), 57P01..57P05 (admin / crash shutdown, cannot connect now,
 * database dropped, idle session timeout) and 53300 (too many connections).
 */
function isUnavailableCode(code: string | undefined): boolean {
  return !!code && (code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300')
}

/** True when `error` says the connection is gone or could not be made, not that SQL failed. */
export function isConnectionFailure(error: unknown): boolean {
  // A FATAL with another code (a wrong password, a missing database) is a setting to fix, not
  // an outage to wait out: it keeps its own code and answer.
  if (error instanceof pg.DatabaseError) return isUnavailableCode(error.code)
  if (!(error instanceof Error)) return false
  const code = (error as NodeJS.ErrnoException).code
  if (code && SOCKET_ERRORS.has(code)) return true
  // net.connect to a host with several addresses fails with an AggregateError of them all.
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure)
  return LOST_CONNECTION.test(error.message)
}

function unavailable(error: unknown, phase: 'connect' | 'query'): DatabaseUnavailableError {
  const serverCode = error instanceof pg.DatabaseError ? error.code : undefined
  // 08001: could not establish the connection; 08006: it failed while in use.
  const code = isUnavailableCode(serverCode)
    ? (serverCode as string)
    : phase === 'connect'
      ? '08001'
      : '08006'
  const reason = error instanceof Error ? error.message : String(error)
  return new DatabaseUnavailableError(code, reason, { cause: error })
}

const ignore = () => undefined

/**
 * A pool whose connections can die at any moment without taking the process along. pg emits
 * `error` on a client whose connection ends unexpectedly, and on the pool for an idle one; the
 * pool listens only while a client is idle, so a client checked out by a request (between the
 * statements of a batch, or while it is rolled back) would otherwise emit it unheard, which
 * Node turns into an uncaught exception. Every client gets a listener of its own for its whole
 * life; the request still sees the failure through its query's rejection.
 */
export function resilientPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config)
  pool.on('error', ignore)
  pool.on('connect', (client) => client.on('error', ignore))
  return pool
}

/**
 * Runs `work` on a checked-out client and gives the client back in a state fit for the next
 * request: a transaction left open (a bare `BEGIN` sent as a single query, say) is rolled back,
 * and a client whose connection failed is discarded, so the pool opens a fresh one next time.
 * Connection failures leave as `DatabaseUnavailableError`; SQL errors as they came.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw isConnectionFailure(error) ? unavailable(error, 'connect') : error
  }
  let broken = false
  try {
    return await work(client)
  } catch (error) {
    // Only a plain SQL error leaves the connection as it was; PostgreSQL closes it after a FATAL.
    const sqlError = error instanceof pg.DatabaseError && error.severity === 'ERROR'
    if (!sqlError || isConnectionFailure(error)) broken = true
    throw isConnectionFailure(error) ? unavailable(error, 'query') : error
  } finally {
    if (!broken && client.getTransactionStatus() !== 'I') {
      try {
        await client.query('ROLLBACK')
      } catch {
        broken = true
      }
    }
    client.release(broken)
  }
}
