/**
 * The end-to-end harness: the dev server as a user starts it (`npm run dev`), a headless
 * Chromium, pages that record console and page errors, and a small sequential test runner.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core'
import { freePort } from '../../scripts/free-port'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const screenshotDir = path.join(repoRoot, 'test-results', 'e2e')
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

const log = (message: string) => console.log(`[e2e] ${message}`)

// ---------------------------------------------------------------------------------------------
// The dev server

export type DevServer = { baseUrl: string; stop(): Promise<void>; output(): string }

/** Dev servers started and not yet stopped, so a signal during start-up stops them too. */
const running = new Set<() => Promise<void>>()
export const stopDevServers = () => Promise.all([...running].map((stop) => stop()))

/**
 * A detached watchdog that stops the dev server's process tree if this process dies without
 * doing it (tsx answers a Ctrl-C its child is slow to acknowledge with SIGKILL). It exits by
 * itself once the dev server's process group is gone.
 */
const REAPER = `
const [parent, root] = process.argv.slice(1).map(Number)
const fs = require('node:fs')
const alive = (pid) => { try { process.kill(pid, 0); return true } catch { return false } }
const groupAlive = (group) => { try { process.kill(-group, 0); return true } catch { return false } }
const tree = () => {
  const children = new Map()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync('/proc/' + entry + '/stat', 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const list = children.get(Number(fields[1])) || []
      list.push([Number(entry), Number(fields[2])])
      children.set(Number(fields[1]), list)
    } catch {}
  }
  const found = []
  const queue = [root]
  while (queue.length) for (const item of children.get(queue.shift()) || []) { found.push(item); queue.push(item[0]) }
  return found
}
const timer = setInterval(() => {
  if (!groupAlive(root)) process.exit(0)
  if (alive(parent)) return
  clearInterval(timer)
  const members = tree()
  try { process.kill(-root, 'SIGTERM') } catch {}
  const deadline = Date.now() + 15000
  setInterval(() => {
    const left = members.filter(([pid]) => alive(pid))
    if (left.length && Date.now() < deadline) return
    for (const [pid, group] of left) {
      try { process.kill(-group, 'SIGKILL') } catch {}
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    try { process.kill(-root, 'SIGKILL') } catch {}
    process.exit(0)
  }, 200)
}, 300)
`

function startReaper(root: number): void {
  if (!fs.existsSync('/proc')) return
  spawn(process.execPath, ['-e', REAPER, String(process.pid), String(root)], {
    detached: true,
    stdio: 'ignore',
  }).unref()
}

/** Every process below `root` (Linux /proc), so nothing the dev script started is left behind. */
function descendants(root: number): number[] {
  if (!fs.existsSync('/proc')) return []
  const children = new Map<number, number[]>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name (field 2) may contain spaces; the fields after its ")" do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = []
  const queue = [root]
  while (queue.length) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `npm run dev` on a free port, in its own process group, with BCRYPT_COST=4 for speed, and an
 * embedded database in a scratch directory (removed at the stop), so the journeys neither read
 * nor leave anything in the developer's `.data/pglite`, and can run while `npm run dev` does.
 * With DATABASE_URL set, that database is used instead, and the journeys' unique emails keep
 * them apart from what it holds.
 */
export async function startDevServer(): Promise<DevServer> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const lines: string[] = []
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-user-api-e2e-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGLITE_DATA_DIR: path.join(scratchDir, 'pglite'),
    PORT: String(port),
    BCRYPT_COST: '4',
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
  log(`starting npm run dev on ${baseUrl}`)
  const child: ChildProcess = spawn('npm', ['run', 'dev'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    if (lines.length > 400) lines.splice(0, lines.length - 400)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true
      lines.push(`(npm run dev exited: ${signal ?? code})`)
      resolve()
    })
  })

  let stopping: Promise<void> | undefined
  // Every caller (the end of the run, a signal) waits for the same, complete stop.
  const stop = () => {
    stopping ??= stopTree().finally(() => {
      running.delete(stop)
      fs.rmSync(scratchDir, { recursive: true, force: true })
    })
    return stopping
  }
  running.add(stop)
  if (child.pid !== undefined) startReaper(child.pid)
  const stopTree = async () => {
    const pid = child.pid
    if (pid === undefined) return
    const tree = [pid, ...descendants(pid)]
    const groups = new Set<number>([pid])
    for (const member of tree) {
      try {
        const stat = fs.readFileSync(`/proc/${member}/stat`, 'utf8')
        groups.add(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))
      } catch {
        // gone already
      }
    }
    // SIGTERM first: the dev script stops wrangler and closes its database cleanly.
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      // already gone
    }
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && tree.some(isAlive)) await sleep(100)
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL')
      } catch {
        // gone
      }
    }
    for (const member of tree) {
      try {
        process.kill(member, 'SIGKILL')
      } catch {
        // gone
      }
    }
    if (!exited) await Promise.race([exitedPromise, sleep(2000)])
  }

  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`npm run dev exited before it answered:\n${lines.slice(-40).join('\n')}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`npm run dev did not answer GET / in 120 s:\n${lines.slice(-40).join('\n')}`)
    }
    try {
      const response = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.ok) break
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  log('dev server is up')
  return { baseUrl, stop, output: () => lines.join('\n') }
}

// ---------------------------------------------------------------------------------------------
// The browser

export function checkChromium(): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.error(
      `[e2e] Chromium was not found at ${CHROMIUM_PATH}. Install it (Debian/Ubuntu: ` +
        '`apt-get install -y chromium`) or set CHROMIUM_PATH. The tests never download a browser.',
    )
    process.exit(1)
  }
}

export const launchBrowser = () =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })

/**
 * A client address of its own for each browser context and API call, as the project's other
 * tests do (test/support/api.ts). The API limits registration, refresh and failed logins per
 * address (CF-Connecting-IP, which `wrangler dev` takes from the request when present); one
 * shared 127.0.0.1 would trip those limits within a run, and across runs against a DATABASE_URL
 * that keeps its login counters. Random in 198.18.0.0/15 (benchmarking range).
 */
export function clientAddress(): string {
  const [a = 0, b = 0, c = 0] = crypto.randomBytes(3)
  return `198.${18 + (a % 2)}.${b}.${(c % 254) + 1}`
}

/**
 * A page in a fresh context (own cookies) that records console errors and page errors.
 *
 * Chromium reports every fetch answered with a 4xx or 5xx as a console error "Failed to load
 * resource: the server responded with a status of N (…)", with the request's URL as its
 * location. Some of those are the expected outcome of a journey, not faults of the app: the
 * 401 from /v1/auth/refresh on a first visit without a session, and the 401 / 409 / 422 a test
 * provokes on purpose. Only those exact messages, for the path and status the test declared
 * with `expectHttpError`, are left out; anything else the console reports as an error fails.
 */
export class AppPage {
  readonly problems: string[] = []
  private readonly expected: { path: string; status: string }[] = []

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    // A first visit without a session: the app asks /v1/auth/refresh and the API answers 401.
    this.expectHttpError('/v1/auth/refresh', 401)
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      const text = message.text()
      const url = message.location().url
      const failed =
        /^Failed to load resource: (?:the server responded with a status of (\d{3}) \([^)]*\)|(net::ERR_[A-Z_]+))$/.exec(
          text,
        )
      if (failed && this.isExpected(url, failed[1] ?? failed[2] ?? '')) {
        if (process.env.E2E_VERBOSE) log(`expected: ${text} (${url})`)
        return
      }
      this.problems.push(`console error: ${text}${url ? ` (${url})` : ''}`)
    })
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`))
  }

  static async open(
    browser: Browser,
    baseUrl: string,
    options: BrowserContextOptions = {},
  ): Promise<AppPage> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      locale: 'en-GB',
      extraHTTPHeaders: { 'CF-Connecting-IP': clientAddress() },
      ...options,
    })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    return new AppPage(context, page, baseUrl)
  }

  /** Declares that a request to `path` answering `status` (or failing with a net:: code) is part of the test. */
  expectHttpError(pathname: string, status: number | string): void {
    this.expected.push({ path: pathname, status: String(status) })
  }

  private isExpected(url: string, status: string): boolean {
    let pathname: string
    try {
      pathname = new URL(url).pathname
    } catch {
      return false
    }
    return this.expected.some((entry) => entry.path === pathname && entry.status === status)
  }

  async goto(pathname = '/app/') {
    return this.page.goto(new URL(pathname, this.baseUrl).href)
  }

  /** The whole page, or only the viewport (a modal dialog's backdrop covers only that). */
  async screenshot(name: string, { fullPage = true } = {}): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true })
    await this.page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage })
  }

  /** No console errors and no page errors so far. */
  assertClean(): void {
    if (this.problems.length) {
      throw new Error(`the page reported errors:\n  ${this.problems.join('\n  ')}`)
    }
  }

  async close(): Promise<void> {
    await this.context.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting and checking (playwright-core has no `expect`)

export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  let lastError: unknown
  for (;;) {
    try {
      last = await probe()
      if (accept(last)) return last
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      const seen = lastError ? String(lastError) : JSON.stringify(last)
      throw new Error(`timed out waiting for ${what}; last seen: ${seen}`)
    }
    await sleep(100)
  }
}

export const visible = (locator: Locator) => locator.waitFor({ state: 'visible' })
export const gone = (locator: Locator) => locator.waitFor({ state: 'hidden' })

/** Waits until the element is visible and its text contains `expected`; returns the text. */
export async function hasText(locator: Locator, expected: string): Promise<string> {
  await visible(locator)
  return eventually(
    `${locator} to contain ${JSON.stringify(expected)}`,
    async () => (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '',
    (text) => text.includes(expected),
  )
}

// ---------------------------------------------------------------------------------------------
// A small sequential runner

export type TestCase = { name: string; run: () => Promise<void> }

export async function runTests(
  tests: TestCase[],
  shouldStop: () => boolean = () => false,
): Promise<{ passed: number; failed: number }> {
  let passed = 0
  let failed = 0
  for (const { name, run } of tests) {
    if (shouldStop()) break
    const started = Date.now()
    try {
      await run()
      passed += 1
      console.log(`✔ ${name} (${Date.now() - started} ms)`)
    } catch (error) {
      failed += 1
      console.log(`✖ ${name} (${Date.now() - started} ms)`)
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
      console.log(text.replace(/^/gm, '    '))
    }
  }
  return { passed, failed }
}
