import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { appDatabase, STRONG_PASSWORD, sql, uniqueEmail } from '../../test/support/api'
import { lastMailTo, type OutboxRow } from '../../test/support/mail'
import { createApp } from '../app'
import worker from '../index'
import { createLogger } from '../lib/logger'
import { deliverOutbox, MAX_ATTEMPTS } from './outbox'

type Sent = { from: string; to: string; subject: string; text?: string; html?: string }

/** A stand-in for the send_email binding: records what it is given, fails while `failing`. */
function fakeBinding(failing = false) {
  const sent: Sent[] = []
  const binding = {
    failing,
    async send(message: Sent) {
      if (binding.failing) throw new Error('Email Service said no (550)')
      sent.push(message)
      return { messageId: `fake-${sent.length}` }
    },
  }
  return { binding: binding as unknown as SendEmail & { failing: boolean }, sent }
}

const row = async (id: number) =>
  (await sql<OutboxRow>('select * from email_outbox where id = $1', [id]))[0]

async function registerWith(bindings: Record<string, unknown>) {
  const email = uniqueEmail('mail')
  const ctx = createExecutionContext()
  const response = await createApp().fetch(
    new Request('https://api.example.com/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': '2001:db8:e::1' },
      body: JSON.stringify({ name: 'Mail', email, password: STRONG_PASSWORD }),
    }),
    { ...env, ...bindings },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  expect(response.status).toBe(201)
  return email
}

describe('delivery of the outbox', () => {
  it('sends a registration email after the answer, through the EMAIL binding, and marks it sent', async () => {
    const { binding, sent } = fakeBinding()
    const email = await registerWith({ EMAIL: binding, EMAIL_FROM: 'accounts@example.com' })
    const mail = sent.find((message) => message.to === email)
    expect(mail).toMatchObject({
      from: 'accounts@example.com',
      subject: expect.stringMatching(/confirm/i),
    })
    expect(mail?.text).toMatch(/token=/)
    expect(mail?.html).toMatch(/<a href=/)
    const stored = await lastMailTo(email)
    expect(stored.sent_at).not.toBeNull()
    // Once sent, the link's token is no longer kept in clear anywhere.
    expect(stored.text_body).toContain('token=(sent)')
    expect(stored.html_body).not.toMatch(/token=[\w-]{43}/)
  })

  it('leaves mail in the outbox, with a warning, when there is no binding', async () => {
    const warn = vi.spyOn(console, 'warn')
    try {
      const email = await registerWith({})
      expect((await lastMailTo(email)).sent_at).toBeNull()
      expect(warn.mock.calls.some(([line]) => String(line).includes('no EMAIL binding'))).toBe(true)
    } finally {
      warn.mockRestore()
    }
  })

  it('keeps the error of a failed try, backs off, and sends on a later try', async () => {
    const email = await registerWith({})
    const { id } = await lastMailTo(email)
    const { binding, sent } = fakeBinding(true)
    const options = { binding, from: 'a@example.com', log: createLogger('test'), ids: [Number(id)] }
    expect(await deliverOutbox(appDatabase(), options)).toMatchObject({ sent: 0, failed: 1 })
    const failed = await row(Number(id))
    expect(failed).toMatchObject({ attempts: 1, last_error: 'Email Service said no (550)' })
    expect(failed?.sent_at).toBeNull()
    // Not due yet: the backoff moved the next try a minute out.
    binding.failing = false
    expect(await deliverOutbox(appDatabase(), options)).toMatchObject({ sent: 0, failed: 0 })
    await sql(`update email_outbox set next_attempt_at = now() where id = $1`, [id])
    expect(await deliverOutbox(appDatabase(), options)).toMatchObject({ sent: 1 })
    expect((await row(Number(id)))?.sent_at).not.toBeNull()
    expect(sent.map((message) => message.to)).toEqual([email])
  })

  it(`gives up after ${MAX_ATTEMPTS} tries, keeping the error`, async () => {
    const email = await registerWith({})
    const { id } = await lastMailTo(email)
    await sql(`update email_outbox set attempts = $2 where id = $1`, [id, MAX_ATTEMPTS - 1])
    const { binding } = fakeBinding(true)
    const options = { binding, from: 'a@example.com', log: createLogger('test'), ids: [Number(id)] }
    await deliverOutbox(appDatabase(), options)
    const given = await row(Number(id))
    expect(given?.failed_at).not.toBeNull()
    expect(given?.last_error).toMatch(/550/)
    await sql(`update email_outbox set next_attempt_at = now() where id = $1`, [id])
    binding.failing = false
    expect(await deliverOutbox(appDatabase(), options)).toMatchObject({ sent: 0 })
  })

  it('refuses to serve with the EMAIL binding but no EMAIL_FROM (500, the setting named)', async () => {
    const { binding } = fakeBinding()
    const ctx = createExecutionContext()
    const response = await createApp().fetch(
      new Request('https://api.example.com/v1/users/me'),
      { ...env, EMAIL: binding },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(response.status).toBe(500)
  })

  it('is retried by the Cron Trigger: due mail goes out on a run', async () => {
    const email = await registerWith({})
    const { binding, sent } = fakeBinding()
    const controller = createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() })
    // A run sends up to 50, oldest first; other tests' mail may be due before this one.
    for (let run = 0; run < 40 && !sent.some((message) => message.to === email); run++) {
      await worker.scheduled(controller, { ...env, EMAIL: binding, EMAIL_FROM: 'a@example.com' })
    }
    expect(sent.some((message) => message.to === email)).toBe(true)
    expect((await lastMailTo(email)).sent_at).not.toBeNull()
  })
})
