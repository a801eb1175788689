import { sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { emailOutbox } from '../db/schema'
import type { Logger } from '../lib/logger'
import type { Email } from './templates'

/** Tries per message, at 1, 2, 4, ... minutes apart (about four hours in all), then given up. */
export const MAX_ATTEMPTS = 8

/** Writes a message, for the statement or batch that writes what it carries. */
export const outboxRow = (email: Email) => ({
  toAddress: email.to,
  subject: email.subject,
  textBody: email.text,
  htmlBody: email.html,
})

type ClaimedRow = {
  id: number | string
  to_address: string
  subject: string
  text_body: string
  html_body: string
  attempts: number | string
}

/**
 * Claims due messages (all due ones, or those of `ids`): counts the try and moves the next one
 * out by the backoff before sending, so a sender that dies mid-way leaves its messages to a
 * later run rather than to nobody, and two senders never claim the same message.
 */
function claimDue(db: Database, ids: readonly number[] | undefined, limit = 50) {
  const only = ids ? sql`and id = any(${`{${ids.join(',')}}`}::bigint[])` : sql``
  return db.execute<ClaimedRow>(sql`
    update ${emailOutbox} set
      attempts = attempts + 1,
      next_attempt_at = now() + power(2, attempts) * interval '1 minute'
    where id in (
      select id from ${emailOutbox}
      where sent_at is null and failed_at is null and next_attempt_at <= now()
        and attempts < ${MAX_ATTEMPTS} ${only}
      order by id limit ${limit}
      for update skip locked
    )
    returning id, to_address, subject, text_body, html_body, attempts
  `)
}

/** Once sent, the links' tokens leave the table: only their hashes are kept anywhere. */
const markSent = (db: Database, id: number) =>
  db.execute(sql`
    update ${emailOutbox} set sent_at = now(), last_error = null,
      text_body = regexp_replace(text_body, 'token=[A-Za-z0-9_-]+', 'token=(sent)', 'g'),
      html_body = regexp_replace(html_body, 'token=[A-Za-z0-9_-]+', 'token=(sent)', 'g')
    where id = ${id}
  `)

/** A send that neither answers nor fails must not hold up the rest of the run. */
const SEND_TIMEOUT_MS = 10_000
function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('the EMAIL binding did not answer in 10 s')),
      SEND_TIMEOUT_MS,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const markFailed = (db: Database, id: number, error: string, attempts: number) =>
  db.execute(sql`
    update ${emailOutbox} set last_error = ${error.slice(0, 500)},
      failed_at = case when ${attempts} >= ${MAX_ATTEMPTS} then now() end
    where id = ${id}
  `)

export type Delivery = { sent: number; failed: number; waiting: boolean }

/**
 * Sends due messages (`ids`: just those) through the `EMAIL` binding. Without a binding, mail
 * waits in the outbox (and the local mailbox shows it) and a warning says so.
 */
export async function deliverOutbox(
  db: Database,
  options: { binding: SendEmail | undefined; from: string; log: Logger; ids?: readonly number[] },
): Promise<Delivery> {
  if (!options.binding) {
    options.log.warn('email waits in the outbox: no EMAIL binding is configured')
    return { sent: 0, failed: 0, waiting: true }
  }
  if (options.ids?.length === 0) return { sent: 0, failed: 0, waiting: false }
  const claimed = await claimDue(db, options.ids)
  let sent = 0
  let failed = 0
  for (const row of claimed.rows) {
    const id = Number(row.id)
    try {
      await withTimeout(
        options.binding.send({
          from: options.from,
          to: row.to_address,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
        }),
      )
      await markSent(db, id)
      sent += 1
    } catch (error) {
      failed += 1
      const message = error instanceof Error ? error.message : String(error)
      await markFailed(db, id, message, Number(row.attempts))
      options.log.warn('email delivery failed', { outboxId: id, attempts: Number(row.attempts) })
    }
  }
  return { sent, failed, waiting: false }
}
