/**
 * The local mailbox: a page on 127.0.0.1 listing every message of `email_outbox`, newest first,
 * so a person can follow a verification or reset link without any email being sent. Started by
 * `npm run dev` beside wrangler, it reads the database through the same driver and local
 * endpoint as the Worker. A development tool only: nothing here is part of the Worker bundle.
 *
 * It shows live reset links, so like neon-local it listens on loopback only and answers only
 * requests addressed to a loopback name (no DNS rebinding); it answers GET / and nothing else.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { neon, neonConfig } from '@neondatabase/serverless'
import { isLoopbackHost } from '../neon-local/access'
import { redactPassword } from '../neon-local/urls'
import { CONTENT_SECURITY_POLICY, mailboxPage, type OutboxMessage, problemPage } from './page'

/** The newest messages shown; the page says how many more the outbox holds. */
export const PAGE_SIZE = 200

export interface MailboxOptions {
  /** The database's postgresql:// URL (with neon-local, its connection string: a secret). */
  connectionString: string
  /** neon-local's endpoint; absent, the driver talks to Neon itself. */
  fetchEndpoint?: string | undefined
  /** A loopback address (the default, 127.0.0.1): the mailbox refuses to listen elsewhere. */
  host?: string
  /** 0 (the default) for any free port. */
  port?: number
}

export interface Mailbox {
  /** e.g. http://127.0.0.1:41235/ */
  readonly url: string
  close(): Promise<void>
}

type Row = {
  id: string | number
  to_address: string
  subject: string
  text_body: string
  created_at: Date | string
  sent_at: Date | string | null
  failed_at: Date | string | null
  attempts: number | string
  last_error: string | null
  total: string | number
}

const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value))
const toDateOrNull = (value: Date | string | null) => (value === null ? null : toDate(value))

const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host)

export async function startMailbox(options: MailboxOptions): Promise<Mailbox> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(bracketed(host))) {
    throw new Error(`the mailbox listens on loopback addresses only, not ${host}`)
  }
  // The driver reads this global on every request; `npm run dev` and migrate() set the same value.
  if (options.fetchEndpoint !== undefined) neonConfig.fetchEndpoint = options.fetchEndpoint
  const sql = neon(options.connectionString)

  async function readOutbox(): Promise<{ messages: OutboxMessage[]; total: number }> {
    const rows = (await sql`
      select id, to_address, subject, text_body, created_at, sent_at, failed_at, attempts,
        last_error, count(*) over () as total
      from email_outbox order by created_at desc, id desc limit ${PAGE_SIZE}
    `) as Row[]
    const messages = rows.map((row) => ({
      id: String(row.id),
      toAddress: row.to_address,
      subject: row.subject,
      textBody: row.text_body,
      createdAt: toDate(row.created_at),
      sentAt: toDateOrNull(row.sent_at),
      failedAt: toDateOrNull(row.failed_at),
      attempts: Number(row.attempts),
      lastError: row.last_error,
    }))
    return { messages, total: Number(rows[0]?.total ?? 0) }
  }

  function send(res: http.ServerResponse, status: number, body: string, type = 'text/html') {
    res.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      'content-length': Buffer.byteLength(body),
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    })
    res.end(body)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!isLoopbackHost(req.headers.host)) {
      res.setHeader('connection', 'close')
      send(res, 403, 'The mailbox answers only requests addressed to localhost.\n', 'text/plain')
      return
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET')
      send(
        res,
        405,
        `${req.method} is not allowed: the mailbox only shows messages.\n`,
        'text/plain',
      )
      return
    }
    if (new URL(req.url ?? '/', 'http://mailbox').pathname !== '/') {
      send(res, 404, 'Not found: the mailbox is at /.\n', 'text/plain')
      return
    }
    try {
      const { messages, total } = await readOutbox()
      send(res, 200, mailboxPage(messages, total))
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      send(res, 503, problemPage(redactPassword(message, options.connectionString)))
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // After start-up, a failing socket must not take `npm run dev` down with it.
  server.on('error', () => undefined)

  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${bracketed(host)}:${port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
