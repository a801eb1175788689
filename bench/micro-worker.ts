/**
 * A bench-only Worker (never part of the app's bundle) for `npm run bench:micro`: the app's own
 * code, request after request inside one invocation, with the database's answers replayed, so
 * that what is left is the Worker's JavaScript per request (hono, middleware, settings, JWT,
 * drizzle, the Neon driver, JSON) without the network, the HTTP server or the database.
 *
 * Any path is the app itself, through the real database (to register and log in).
 * GET /__micro?path=/v1/users/me&n=2000 (Authorization passed on): one real request records the
 * database's answers, then `n` more get them replayed; answers the count of each status.
 * `&logLevel=debug` runs them with that LOG_LEVEL instead of the configured one.
 */
import { createApp } from '../src/app'

const app = createApp()
const realFetch = globalThis.fetch.bind(globalThis)

/** The endpoint's answers by request body, recorded once; undefined: the real endpoint. */
let recorded: Map<string, { status: number; body: string }> | undefined
let recording = false

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const body = typeof init?.body === 'string' ? init.body : undefined
  const replay = body === undefined ? undefined : recorded?.get(body)
  if (replay && !recording) {
    return new Response(replay.body, {
      status: replay.status,
      headers: { 'content-type': 'application/json' },
    })
  }
  const response = await realFetch(input, init)
  if (recording && body !== undefined) {
    const text = await response.clone().text()
    recorded?.set(body, { status: response.status, body: text })
  }
  return response
}

type Env = Record<string, unknown>

// One bindings object per LOG_LEVEL, kept: the app reads its settings once per bindings object.
const envsByLevel = new Map<string, Env>()
const envFor = (env: Env, level: string | null) => {
  if (!level) return env
  let copy = envsByLevel.get(level)
  if (!copy) {
    copy = { ...env, LOG_LEVEL: level }
    envsByLevel.set(level, copy)
  }
  return copy
}

async function micro(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url)
  const path = url.searchParams.get('path') ?? '/'
  const n = Number(url.searchParams.get('n') ?? '1')
  const headers = new Headers(request.headers)
  const target = new URL(path, url)
  const bindings = envFor(env, url.searchParams.get('logLevel'))
  const call = () => app.fetch(new Request(target, { headers }), bindings, ctx)
  recorded = new Map()
  recording = true
  try {
    await (await call()).arrayBuffer()
  } finally {
    recording = false
  }
  const statuses: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const response = await call()
    await response.arrayBuffer()
    statuses[response.status] = (statuses[response.status] ?? 0) + 1
  }
  recorded = undefined
  return Response.json({ statuses, replayed: n })
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> | Response {
    if (new URL(request.url).pathname === '/__micro') return micro(request, env, ctx)
    return app.fetch(request, env, ctx)
  },
}
