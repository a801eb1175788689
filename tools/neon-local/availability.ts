/**
 * What the endpoint says while its database is away: a 503 whose body is the error shape the
 * driver knows (it raises "Server error (HTTP status 503): ..." from it, which the Worker's
 * error handler answers with its own 503 `service_unavailable`), and one log line when the
 * outage starts and one when it ends, rather than one per refused request.
 */
import type { DatabaseUnavailableError } from './pool'
import { errorBody, type NeonErrorBody } from './protocol'
import { redactPassword } from './urls'

export interface Availability {
  /** A request reached the database (its SQL may still have failed). */
  succeeded(): void
  /** A request found the database unreachable. */
  failed(error: DatabaseUnavailableError): void
  /** The 503's body. */
  body(error: DatabaseUnavailableError): NeonErrorBody
}

export function trackAvailability(
  log: ((message: string) => void) | undefined,
  databaseUrl: string | undefined,
): Availability {
  let downSince: number | undefined
  // pg's messages name hosts and ports, not passwords; redacting is the net under that.
  const reasonOf = (error: DatabaseUnavailableError) => redactPassword(error.message, databaseUrl)
  return {
    succeeded() {
      if (downSince === undefined) return
      const seconds = ((Date.now() - downSince) / 1000).toFixed(1)
      downSince = undefined
      log?.(`database reachable again after ${seconds} s`)
    },
    failed(error) {
      if (downSince !== undefined) return
      downSince = Date.now()
      log?.(`database unavailable (${reasonOf(error)}): answering 503 until it is back`)
    },
    body(error) {
      return errorBody({
        message: `neon-local: the database is unavailable (${reasonOf(error)}); try again shortly`,
        code: error.code,
        severity: 'ERROR',
      })
    },
  }
}
