import { describe, expect, it } from 'vitest'
import { type ApiResponse, api, type Json, registerUser } from '../../test/support/api'
import { MAX_BODY_BYTES } from '../app'
import { recipes } from './status-recipes'

/**
 * Every status the OpenAPI document promises is produced by the API at least once: a documented
 * answer that no request can provoke is a lie in the document. The answers every route with a
 * body or a bearer token gives before its handler runs are provoked the same way for each; the
 * rest by a recipe of ./status-recipes.ts. A documented status with neither fails here.
 */

type Operation = {
  security?: unknown
  requestBody?: { content?: Record<string, unknown> }
  responses: Record<
    string,
    { content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >
}
type Document = { paths: Record<string, Record<string, Operation>> }

const { body: doc } = await api<Document>('/openapi.json')

type Case = { key: string; method: string; path: string; status: string; operation: Operation }
const cases: Case[] = Object.entries(doc.paths).flatMap(([path, operations]) =>
  Object.entries(operations).flatMap(([method, operation]) =>
    Object.keys(operation.responses).map((status) => ({
      key: `${method.toUpperCase()} ${path} ${status}`,
      method: method.toUpperCase(),
      path,
      status,
      operation,
    })),
  ),
)

type Caller = { userId: string; token: string }

const concretePath = (path: string, caller: Caller) =>
  path.replace('{userId}', caller.userId).replace('{sessionId}', crypto.randomUUID())

/** The answers a route gives before its handler runs, provoked the same way on every route. */
function generic(
  { method, path, status, operation }: Case,
  caller: Caller,
): (() => Promise<ApiResponse<Json>>) | undefined {
  const token = operation.security ? caller.token : undefined
  const call = (options: Parameters<typeof api>[1]) =>
    api(concretePath(path, caller), { method, token, ...options })
  const mediaTypes = Object.keys(operation.requestBody?.content ?? {})
  const takesJson = mediaTypes.includes('application/json')
  const takesForm = mediaTypes.includes('application/x-www-form-urlencoded')
  const json = { 'content-type': 'application/json' }
  switch (status) {
    case '401':
      return operation.security ? () => call({ token: undefined }) : undefined
    case '400':
      return takesJson ? () => call({ raw: '{"name": ', headers: json }) : undefined
    case '413':
      return takesJson || takesForm
        ? () => call({ raw: `{"name":"${'x'.repeat(MAX_BODY_BYTES)}"}`, headers: json })
        : undefined
    case '415':
      return takesJson || takesForm
        ? () => call({ raw: 'name=Ada', headers: { 'content-type': 'text/plain' } })
        : undefined
    case '422':
      if (takesJson) return () => call({ body: { notAField: true } })
      if (takesForm) {
        return () =>
          call({
            raw: 'grant_type=code',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
      }
      return undefined
    default:
      return undefined
  }
}

describe('every status in the OpenAPI document', () => {
  it('is listed, over every route', () => {
    expect(cases.length).toBeGreaterThan(100)
  })

  // Each case has its own users and addresses, so they run side by side; the database outage
  // of GET /health 503 changes the isolate's driver, so it runs on its own, after them.
  const [outage, independent] = [
    cases.filter((one) => one.key === 'GET /health 503'),
    cases.filter((one) => one.key !== 'GET /health 503'),
  ]
  it.concurrent.each(independent.map((one) => [one.key, one] as const))('%s is produced', produce)
  it.each(outage.map((one) => [one.key, one] as const))('%s is produced', produce)
})

async function produce(_: string, one: Case) {
  const drive = recipes[one.key] ?? generic(one, await registerUser())
  expect(drive, `no way to produce ${one.key}: add a recipe`).toBeDefined()
  const response = await drive?.()
  expect(response?.status, response?.text).toBe(Number(one.status))
  const described = one.operation.responses[one.status]
  for (const header of Object.keys(described?.headers ?? {})) {
    expect(response?.headers.get(header), header).toBeTruthy()
  }
  if (described?.content?.['application/json']) {
    expect(response?.headers.get('content-type')).toMatch(/^application\/json/)
  }
  if (Number(one.status) >= 400) {
    expect(response?.body).toMatchObject({ success: false, code: expect.any(String) })
  }
}
