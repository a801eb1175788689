import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { createRefreshToken, sha256Hex } from '../lib/tokens'
import { deliverOutbox } from './outbox'

/** Where the links in emails point: APP_URL, else this request's own origin. */
export const linkBase = (c: Context<AppEnv>): string =>
  c.var.config.appUrl ?? new URL(c.req.url).origin

/** A token that acts: 256 random bits for the link, its SHA-256 for the database. */
export async function newEmailToken(): Promise<{ token: string; tokenHash: string }> {
  const token = createRefreshToken()
  return { token, tokenHash: await sha256Hex(token) }
}

/**
 * Sends the messages just written, after the answer has gone: the client never waits for mail,
 * and a failure leaves them to the Cron Trigger's retries.
 */
export function sendAfterAnswer(c: Context<AppEnv>, outboxIds: readonly (number | string)[]): void {
  if (outboxIds.length === 0) return
  c.executionCtx.waitUntil(
    deliverOutbox(c.var.db, {
      binding: c.env.EMAIL,
      // Required with the binding (see loadConfig); without one, nothing is sent.
      from: c.var.config.emailFrom ?? '',
      log: c.var.log,
      ids: outboxIds.map(Number),
    }).catch((error: unknown) => {
      c.var.log.error('email delivery crashed', {
        error: error instanceof Error ? error.name : 'unknown',
      })
    }),
  )
}
