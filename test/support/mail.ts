import { sql } from './api'

export type OutboxRow = {
  id: number
  to_address: string
  subject: string
  text_body: string
  html_body: string
  sent_at: string | null
  attempts: number
  last_error: string | null
  failed_at: string | null
}

/** Every message of the outbox to `address`, oldest first. */
export const mailTo = (address: string) =>
  sql<OutboxRow>('select * from email_outbox where to_address = $1 order by id', [address])

/** The newest message to `address`; fails the test when there is none. */
export async function lastMailTo(address: string): Promise<OutboxRow> {
  const mails = await mailTo(address)
  const last = mails.at(-1)
  if (!last) throw new Error(`no email to ${address}`)
  return last
}

/** The token of the link in a message. */
export function tokenIn(mail: OutboxRow): string {
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text_body)?.[1]
  if (!token) throw new Error(`no link in "${mail.subject}"`)
  return token
}
