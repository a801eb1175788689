import { describe, expect, it } from 'vitest'
import { api } from '../../test/support/api'
import { createApp } from '../app'

type Operation = {
  summary?: string
  responses: Record<string, unknown>
  requestBody?: unknown
  security?: unknown
}
type Document = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, unknown>; additionalProperties?: unknown; required?: string[] }
    >
  }
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document covering every route of the contract', async () => {
    const res = await api<Document>('/openapi.json')
    expect(res.status).toBe(200)
    const doc = res.body
    expect(doc.openapi).toBe('3.1.0')
    const expected: [string, string][] = [
      ['/', 'get'],
      ['/health', 'get'],
      ['/v1/users', 'post'],
      ['/v1/users', 'get'],
      ['/v1/users/login', 'post'],
      ['/v1/auth/token', 'post'],
      ['/v1/auth/refresh', 'post'],
      ['/v1/auth/logout', 'post'],
      ['/v1/auth/sessions', 'get'],
      ['/v1/auth/verify-email', 'post'],
      ['/v1/auth/password-reset', 'post'],
      ['/v1/auth/password-reset/confirm', 'post'],
      ['/v1/users/me/verification-email', 'post'],
      ['/v1/auth/sessions/{sessionId}', 'delete'],
      ['/v1/users/me', 'get'],
      ['/v1/users/me', 'patch'],
      ['/v1/users/me', 'put'],
      ['/v1/users/me', 'delete'],
      ['/v1/users/me/password', 'post'],
      ['/v1/users/{userId}', 'get'],
      ['/v1/users/{userId}', 'patch'],
      ['/v1/users/{userId}', 'put'],
      ['/v1/users/{userId}', 'delete'],
      ['/api/users/register', 'post'],
      ['/api/users/login', 'post'],
      ['/api/users/me', 'get'],
      ['/openapi.json', 'get'],
    ]
    for (const [path, method] of expected) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined()
    }
  })

  it('documents every route the app has, and nothing it does not have', async () => {
    const { body: doc } = await api<Document>('/openapi.json')
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    // Middleware shows up as method ALL; every other entry is a route's handler chain.
    const routes = createApp()
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
    expect([...new Set(routes)].sort()).toEqual([...new Set(documented)].sort())
    // hono-openapi lists a route with a validator even without its describeRoute; only that
    // gives it a summary (and its answers).
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method.toUpperCase()} ${path} is not described`).toBeTruthy()
      }
    }
    expect(documented.length).toBeGreaterThanOrEqual(27)
  })

  it('derives request schemas from the validating zod schemas', async () => {
    const { body: doc } = await api<Document>('/openapi.json')
    const register = doc.components.schemas.RegisterBody
    expect(Object.keys(register?.properties ?? {}).sort()).toEqual(['email', 'name', 'password'])
    expect(register?.required?.sort()).toEqual(['email', 'name', 'password'])
    expect(register?.additionalProperties).toBe(false)
    const update = doc.components.schemas.UpdateUserBody
    expect(Object.keys(update?.properties ?? {}).sort()).toEqual([
      'currentPassword',
      'email',
      'name',
      'role',
    ])
    expect(Object.keys(doc.components.schemas.LogoutBody?.properties ?? {}).sort()).toEqual([
      'refreshToken',
      'scope',
    ])
    expect(Object.keys(doc.components.schemas.Session?.properties ?? {}).sort()).toEqual([
      'clientAddress',
      'createdAt',
      'current',
      'expiresAt',
      'lastUsedAt',
      'sessionId',
      'userAgent',
    ])
  })

  it('has no reference that dangles', async () => {
    const { body: doc } = await api<Document>('/openapi.json')
    const refs: string[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value)
          else walk(value)
        }
      }
    }
    walk(doc)
    expect(refs.length).toBeGreaterThan(10)
    for (const target of new Set(refs)) {
      expect(target).toMatch(/^#\/components\/schemas\//)
      expect(doc.components.schemas[target.split('/').at(-1) ?? '']).toBeDefined()
    }
  })

  it('documents the 429 answers with Retry-After', async () => {
    const { body: doc } = await api<Document>('/openapi.json')
    for (const path of ['/v1/users/login', '/v1/auth/token', '/v1/auth/refresh']) {
      const responses = doc.paths[path]?.post?.responses ?? {}
      expect(responses['429'], path).toMatchObject({
        headers: { 'Retry-After': expect.any(Object) },
      })
    }
    expect(doc.paths['/v1/users']?.post?.responses['429']).toBeDefined()
  })

  it('declares the OAuth2 password flow so Swagger UI can authorize', async () => {
    const { body: doc } = await api<Document & { components: { securitySchemes: unknown } }>(
      '/openapi.json',
    )
    expect(doc.components.securitySchemes).toMatchObject({
      oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/v1/auth/token' } } },
      bearerAuth: { type: 'http', scheme: 'bearer' },
    })
  })
})
