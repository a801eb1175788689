/**
 * The local mailbox against neon-local on in-memory PGlite with the real migrations: it lists
 * the outbox newest first, turns the links of a text body into working anchors, escapes the
 * rest, and answers only GET / on a loopback Host.
 */
import http from 'node:http'
import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationsFolder } from '../../scripts/paths'
import { type NeonLocal, startNeonLocal } from '../neon-local/index'
import { migrate } from '../neon-local/migrate'
import { type Mailbox, startMailbox } from './index'
import { linkify } from './page'

/** A request with any Host header and method (fetch() will not send a Host of our choosing). */
function request(url: string, options: { method?: string; host?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const headers = options.host ? { host: options.host } : {}
      const req = http.request(url, { method: options.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      })
      req.on('error', reject)
      req.end()
    },
  )
}

/** What an HTML attribute value stands for: the escapes the page writes, undone. */
const unescapeAttribute = (value: string) =>
  value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))

const RESET_LINK = 'http://127.0.0.1:8787/app/#reset-password?token=Ab_c-123&x=1'

describe('the local mailbox', () => {
  let local: NeonLocal
  let sql: NeonQueryFunction<false, false>
  let mailbox: Mailbox

  beforeAll(async () => {
    local = await startNeonLocal()
    await migrate({
      databaseUrl: local.connectionString,
      fetchEndpoint: local.endpoint,
      migrationsFolder,
    })
    neonConfig.fetchEndpoint = local.endpoint
    sql = neon(local.connectionString)
    mailbox = await startMailbox({
      connectionString: local.connectionString,
      fetchEndpoint: local.endpoint,
    })
  }, 60_000)

  afterAll(async () => {
    await mailbox?.close()
    await local?.close()
  })

  it('says so when the outbox is empty', async () => {
    const answer = await request(mailbox.url)
    expect(answer.status).toBe(200)
    expect(answer.text).toContain('No messages yet')
  })

  it('lists the messages newest first, with working links and everything else escaped', async () => {
    await sql`
      insert into email_outbox (to_address, subject, text_body, html_body, created_at)
      values ('old@example.com', 'The older one', 'Nothing to click.', '', now() - interval '1 hour')
    `
    await sql`
      insert into email_outbox (to_address, subject, text_body, html_body)
      values ('ada+<b>@example.com', 'Reset <i>your</i> password',
        ${`Open the link below.\n\n${RESET_LINK}\n\n<script>alert(1)</script> & "quotes"`},
        '<p>html part</p>')
    `
    const answer = await request(mailbox.url)
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'")
    expect(answer.headers['cache-control']).toBe('no-store')
    const page = answer.text

    // Newest first.
    const newer = page.indexOf('Reset &#60;i&#62;your&#60;/i&#62; password')
    const older = page.indexOf('The older one')
    expect(newer).toBeGreaterThan(-1)
    expect(older).toBeGreaterThan(newer)
    expect(page).toContain('2 messages')

    // The link: one anchor whose href is exactly the URL in the message.
    const anchors = [...page.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].filter(
      ([, href]) => href !== '/',
    )
    expect(anchors).toHaveLength(1)
    const [, href = '', text = ''] = anchors[0] ?? []
    expect(unescapeAttribute(href)).toBe(RESET_LINK)
    expect(unescapeAttribute(text)).toBe(RESET_LINK)

    // Everything else is text: no markup from a message reaches the page.
    expect(page).toContain('ada+&#60;b&#62;@example.com')
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;')
    expect(page).not.toMatch(/<script|<i>|<b>/)
    expect(page).not.toContain('html part')
  })

  it('answers GET / only, and only on a loopback Host', async () => {
    expect((await request(mailbox.url, { host: 'evil.example' })).status).toBe(403)
    expect((await request(mailbox.url, { host: '127.0.0.1.nip.io' })).status).toBe(403)
    expect((await request(mailbox.url, { host: 'localhost' })).status).toBe(200)
    const post = await request(mailbox.url, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET')
    expect((await request(new URL('/favicon.ico', mailbox.url).href)).status).toBe(404)
  })

  it('never shows the connection string when the database fails', async () => {
    const broken = await startMailbox({
      connectionString: local.connectionString.replace(/:[^:@]+@/, ':wrong-secret@'),
      fetchEndpoint: local.endpoint,
    })
    try {
      const answer = await request(broken.url)
      expect(answer.status).toBe(503)
      expect(answer.text).toContain('could not be read')
      expect(answer.text).not.toContain('wrong-secret')
    } finally {
      await broken.close()
    }
  })

  it('refuses to listen on anything but loopback', async () => {
    await expect(
      startMailbox({ connectionString: local.connectionString, host: '0.0.0.0' }),
    ).rejects.toThrow(/loopback/)
  })

  it('links http(s) URLs only, without the punctuation after them', () => {
    expect(linkify('See https://a.example/x. Or javascript:alert(1)')).toBe(
      'See <a href="https://a.example/x">https://a.example/x</a>. Or javascript:alert(1)',
    )
  })
})
