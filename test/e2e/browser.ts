/**
 * The browser: Debian's Chromium (never downloaded), and pages that record console and page
 * errors.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core'
import { repoRoot } from './server'

export const screenshotDir = path.join(repoRoot, 'test-results', 'e2e')
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

const log = (message: string) => console.log(`[e2e] ${message}`)

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
