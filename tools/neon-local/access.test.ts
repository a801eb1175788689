/**
 * Who may use neon-local: loopback Host headers only (no DNS rebinding), no CORS, and the per-run
 * secret as the password of the connection string.
 */
import http from 'node:http'
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdsSecret, isLoopbackHost, passwordOf } from './access'
import { type NeonLocal, STATS_PATH, startNeonLocal } from './index'
import { clientUrl, rejection } from './test-support'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
}

/** A request with any Host header: fetch() will not send one of our choosing. */
function request(
  endpoint: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const url = new URL(options.path ?? '/sql', endpoint)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

const corsHeaders = (headers: http.IncomingHttpHeaders) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'))

describe('isLoopbackHost and holdsSecret', () => {
  it('accepts loopback names and addresses, with or without a port, and nothing else', () => {
    const accepted = [
      'localhost',
      'LOCALHOST:8787',
      '127.0.0.1',
      '127.0.0.1:41234',
      '127.9.8.7:1',
      '[::1]',
      '[::1]:5432',
    ]
    const refused = [
      undefined,
      '',
      'example.com',
      'evil.example:41234',
      'localhost.evil.example',
      '127.0.0.1.nip.io:80',
      '0.0.0.0:41234',
      '[::]:41234',
      '192.168.1.10',
      '128.0.0.1',
      '127.0.0.1@evil.example',
      'localhost:99999',
      'localhost/x',
      '[::ffff:127.0.0.1]',
    ]
    for (const host of accepted) expect(isLoopbackHost(host), host).toBe(true)
    for (const host of refused) expect(isLoopbackHost(host), String(host)).toBe(false)
  })

  it('compares the password of the connection string with the secret', () => {
    const secret = 'a'.repeat(64)
    expect(holdsSecret(secret, `postgresql://u:${secret}@localhost/db`)).toBe(true)
    expect(holdsSecret(secret, `postgres://other:${secret}@h:1/x?sslmode=require`)).toBe(true)
    expect(holdsSecret(secret, `postgresql://u:${'a'.repeat(63)}@localhost/db`)).toBe(false)
    expect(holdsSecret(secret, `postgresql://u:${secret}b@localhost/db`)).toBe(false)
    expect(holdsSecret(secret, 'postgresql://u@localhost/db')).toBe(false)
    expect(holdsSecret(secret, `mysql://u:${secret}@localhost/db`)).toBe(false)
    expect(holdsSecret(secret, 'not a url')).toBe(false)
    expect(holdsSecret(secret, undefined)).toBe(false)
    expect(holdsSecret('p@ss word', 'postgresql://u:p%40ss%20word@localhost/db')).toBe(true)
    expect(passwordOf('postgresql://u:p%40ss@localhost/db')).toBe('p@ss')
  })
})

describe('neon-local refuses what is not its own', () => {
  let local: NeonLocal
  let port: string
  const query = JSON.stringify({ query: 'SELECT 1 AS one', params: [] })

  beforeAll(async () => {
    local = await startNeonLocal()
    port = new URL(local.endpoint).port
  }, 60_000)
  afterAll(() => local?.close(), 60_000)

  it('makes a fresh 32-byte secret per run and puts it in its connection string', async () => {
    const secret = passwordOf(local.connectionString)
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    const other = await startNeonLocal({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })
    try {
      expect(passwordOf(other.connectionString)).toMatch(/^[0-9a-f]{64}$/)
      expect(passwordOf(other.connectionString)).not.toBe(secret)
    } finally {
      await other.close()
    }
  })

  it('answers loopback Host headers that carry the secret', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const answer = await request(local.endpoint, {
        headers: { host, 'neon-connection-string': clientUrl(local) },
        body: query,
      })
      expect(answer.status, host).toBe(200)
      expect(JSON.parse(answer.text).rows, host).toEqual([{ one: '1' }])
      expect(corsHeaders(answer.headers), host).toEqual([])
    }
  })

  it('refuses any other Host header with 403, secret or not (DNS rebinding)', async () => {
    const before = local.stats().requests
    for (const host of [`evil.example:${port}`, `0.0.0.0:${port}`, `192.168.0.1:${port}`]) {
      const answer = await request(local.endpoint, {
        headers: {
          host,
          'neon-connection-string': clientUrl(local),
          origin: 'http://evil.example',
        },
        body: query,
      })
      expect(answer.status, host).toBe(403)
      expect(JSON.parse(answer.text).message).toMatch(/loopback|localhost/)
      expect(corsHeaders(answer.headers), host).toEqual([])
    }
    expect(local.stats().requests).toBe(before)
  })

  it('refuses a missing or wrong secret with 401, on every path, and never echoes it', async () => {
    const secret = passwordOf(local.connectionString) ?? ''
    const wrong = [
      undefined,
      'postgresql://app_user@db.example/app',
      'postgresql://app_user:guess@db.example/app',
      `postgresql://app_user:${secret.slice(0, -1)}@db.example/app`,
    ]
    const before = local.stats().requests
    for (const connectionString of wrong) {
      for (const [method, pathname] of [
        ['POST', '/sql'],
        ['GET', STATS_PATH],
        ['GET', '/sql'],
      ] as const) {
        const headers: Record<string, string> = connectionString
          ? { 'neon-connection-string': connectionString }
          : {}
        const answer = await request(local.endpoint, {
          method,
          path: pathname,
          headers,
          body: query,
        })
        expect(answer.status, `${method} ${pathname} ${connectionString}`).toBe(401)
        expect(answer.text).toMatch(/secret/)
        expect(answer.text).not.toContain(secret.slice(0, 16))
      }
    }
    expect(local.stats().requests).toBe(before)

    // Through the driver: a Worker holding the wrong URL sees a server error, never rows.
    neonConfig.fetchEndpoint = local.endpoint
    const error = await rejection(neon('postgresql://app_user:guess@db.example/app')`SELECT 1`)
    expect(error.message).toMatch(/^Server error \(HTTP status 401\)/)
  })

  it('sends no CORS headers: a preflight gets none, so no web page can read an answer', async () => {
    const answer = await request(local.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'neon-connection-string',
      },
    })
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(corsHeaders(answer.headers)).toEqual([])
  })

  it('listens on loopback addresses only', async () => {
    await expect(startNeonLocal({ host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })
})
