import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type ApiResponse, api, type Json } from '../../test/support/api'
import { type Case, generic, type Operation } from './status-generic'
import { recipes } from './status-recipes'

/**
 * Every status the OpenAPI document promises is produced by the API at least once, with the
 * documented body and headers: a documented answer that no request can provoke, or that comes
 * back in another shape, is a lie in the document. Answers every route gives the same way are
 * provoked by ./status-generic.ts, the rest by a recipe of ./status-recipes.ts. A documented
 * status with neither fails here.
 */

type Document = {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}

const { body: doc } = await api<Document>('/openapi.json')

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

/** The documented JSON schema of an answer, as zod, its references resolved. */
function documentedSchema(schema: unknown) {
  const local = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/'))
  return z.fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) })
}

/** The error codes a description names, in backquotes: `rate_limited`, say. */
const namedCodes = (description = '') =>
  [...description.matchAll(/`([a-z_]+)`/g)].map((match) => match[1])

async function produce(_: string, one: Case) {
  const drive = recipes[one.key] ?? generic(one)
  expect(drive, `no way to produce ${one.key}: add a recipe`).toBeDefined()
  const response = (await drive?.()) as ApiResponse<Json>
  expect(response.status, response.text).toBe(Number(one.status))
  const described = one.operation.responses[one.status]
  for (const header of Object.keys(described?.headers ?? {})) {
    expect(response.headers.get(header), header).toBeTruthy()
  }
  const json = described?.content?.['application/json'] as { schema?: unknown } | undefined
  if (json?.schema) {
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const checked = documentedSchema(json.schema).safeParse(response.body)
    expect(checked.error?.issues ?? [], response.text).toEqual([])
  }
  if (response.status >= 400) {
    const codes = namedCodes(described?.description)
    expect(codes.length, `${one.key} names no code`).toBeGreaterThan(0)
    expect(codes).toContain(response.body.code)
  }
}

describe('every status in the OpenAPI document', () => {
  it('is listed, over every route', () => {
    expect(cases.length).toBeGreaterThan(150)
  })

  // Each case has its own users and addresses, so they run side by side; an outage changes the
  // isolate's database driver, so those cases run on their own, after them.
  const outage = cases.filter((one) => one.status === '503')
  const independent = cases.filter((one) => one.status !== '503')
  const table = (list: Case[]) => list.map((one) => [one.key, one] as const)
  it.concurrent.each(table(independent))('%s is produced', produce, 60_000)
  it.each(table(outage))('%s is produced', produce, 60_000)
})
