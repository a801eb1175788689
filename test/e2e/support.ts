/**
 * What the journeys share: the server and browser of this run, accounts, pages, and the
 * checks several journeys make. The runner (run.ts) fills in `e2e` before any journey runs.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Locator, Page, Response } from 'playwright-core'
import {
  AppPage,
  clientAddress,
  eventually,
  hasText,
  repoRoot,
  screenshotDir,
  visible,
} from './harness'

const run = promisify(execFile)

/**
 * The server, its local mailbox, the settings that name its database (unset against a server
 * started elsewhere: the tools then use this process's environment) and the browser of this run.
 */
export const e2e: {
  baseUrl: string
  mailboxUrl: string
  databaseEnv: NodeJS.ProcessEnv | undefined
  browser: Browser | undefined
} = { baseUrl: '', mailboxUrl: '', databaseEnv: undefined, browser: undefined }

const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`
let emailCounter = 0
/** Emails unique to this run: the dev database persists between runs. */
export const freshEmail = (label: string) => `e2e-${runId}-${label}-${++emailCounter}@example.com`
export const PASSWORD = 'Journey-Pass-1'

/** What the API names the browser app's refresh cookie (`__Host-` prefixed, `Path=/`). */
export const REFRESH_COOKIE = '__Host-refresh_token'

/** A phone's user agent, for a session the list should show as "Safari on iPhone". */
export const IPHONE_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

export type Account = { name: string; email: string; password: string }

/**
 * Registers through the API directly. Registration is limited per address (10 a minute); the
 * journeys share accounts where they can, and on a 429 this waits for Retry-After once.
 */
export async function createAccount(label: string, name: string): Promise<Account> {
  const account = { name, email: freshEmail(label), password: PASSWORD }
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${e2e.baseUrl}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'CF-Connecting-IP': clientAddress() },
      body: JSON.stringify(account),
    })
    const text = await response.text()
    if (response.status === 429 && attempt === 0) {
      const wait = Math.min(Number(response.headers.get('retry-after')) || 60, 65)
      console.log(`[e2e] registration is rate-limited; waiting ${wait} s`)
      await new Promise((resolve) => setTimeout(resolve, wait * 1000))
      continue
    }
    assert.equal(response.status, 201, `registering ${account.email}: ${text}`)
    return account
  }
}

/**
 * Makes the account an admin the way the README tells an operator to, with `npm run admin`,
 * which reaches the running dev server's database through its endpoint.
 */
export async function makeAdmin(who: Account): Promise<void> {
  const { stdout } = await run('npm', ['run', '--silent', 'admin', '--', 'promote', who.email], {
    cwd: repoRoot,
    env: { ...process.env, ...e2e.databaseEnv },
    timeout: 60_000,
  })
  assert.match(
    stdout,
    /is now an admin \(was an ordinary user\)/,
    `making ${who.email} an admin: ${stdout}`,
  )
}

const shared = new Map<string, Promise<Account>>()
/** One account per label for the whole run, created on first use. */
export function account(label: 'member' | 'taken'): Promise<Account> {
  let existing = shared.get(label)
  if (!existing) {
    existing = createAccount(label, label === 'member' ? 'Grace Hopper' : 'Margaret Hamilton')
    shared.set(label, existing)
  }
  return existing
}

export type PageOptions = Parameters<typeof AppPage.open>[2]

export async function openApp(options: PageOptions = {}): Promise<AppPage> {
  assert.ok(e2e.browser)
  return AppPage.open(e2e.browser, e2e.baseUrl, options)
}

/** Runs `body` with a fresh page; closes it and checks the console whatever happens. */
export async function withApp(
  body: (app: AppPage) => Promise<void>,
  options: PageOptions = {},
): Promise<void> {
  const app = await openApp(options)
  try {
    await body(app)
    app.assertClean()
  } finally {
    await app.close()
  }
}

/** `withApp`, starting signed out on the log-in form, as most journeys do. */
export function withLoginForm(
  body: (app: AppPage) => Promise<void>,
  options: PageOptions = {},
): Promise<void> {
  return withApp(async (app) => {
    await app.goto()
    await visible(loginHeading(app))
    await body(app)
  }, options)
}

export const loginHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Log in', exact: true })
export const registerHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Create your account' })
export const profileHeading = (app: AppPage) =>
  app.page.getByRole('heading', { level: 1, name: 'Your profile' })
export const notice = (app: AppPage) => app.page.locator('#notice')
export const heading = (app: AppPage, name: string) =>
  app.page.getByRole('heading', { level: 1, name, exact: true })

export async function logInThroughForm(
  app: AppPage,
  email: string,
  password: string,
): Promise<void> {
  const form = app.page.locator('#login-form')
  await form.getByLabel('Email').fill(email)
  await form.getByLabel('Password').fill(password)
  await app.page.getByRole('button', { name: 'Log in', exact: true }).click()
}

/** Opens the app signed out, logs in through the form and waits for the profile. */
export async function signIn(app: AppPage, who: Account): Promise<void> {
  await app.goto()
  await visible(loginHeading(app))
  await logInThroughForm(app, who.email, who.password)
  await visible(profileHeading(app))
}

/**
 * The next response from `path`. Marked as handled at once: when the test fails before it
 * awaits this, the rejection must not crash the run (and skip the clean-up).
 */
export function responseTo(page: Page, path: string, method?: string): Promise<Response> {
  const response = page.waitForResponse(
    (candidate) =>
      new URL(candidate.url()).pathname === path &&
      (method === undefined || candidate.request().method() === method),
  )
  response.catch(() => undefined)
  return response
}

/** The page is no wider than its viewport: nothing to scroll sideways. */
export async function assertNoHorizontalScroll(app: AppPage, where: string): Promise<void> {
  const { scrollWidth, clientWidth } = await app.page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }))
  assert.ok(
    scrollWidth <= clientWidth,
    `${where}: the page is ${scrollWidth}px wide in a ${clientWidth}px viewport`,
  )
}

export async function assertFieldError(
  app: AppPage,
  inputSelector: string,
  expected: string,
): Promise<void> {
  const input = app.page.locator(inputSelector)
  const errorId = `${inputSelector.slice(1)}-error`
  const error = app.page.locator(`#${errorId}`)
  await visible(error)
  await hasText(error, expected)
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${inputSelector} aria-invalid`)
  const describedBy = (await input.getAttribute('aria-describedby')) ?? ''
  assert.ok(
    describedBy.split(/\s+/).includes(errorId),
    `${inputSelector} aria-describedby "${describedBy}" should name ${errorId}`,
  )
}

/** A screenshot of one element (a card), into test-results/e2e/ beside the pages. */
export async function screenshotOf(locator: Locator, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true })
  await locator.screenshot({ path: path.join(screenshotDir, `${name}.png`) })
}

// ---------------------------------------------------------------------------------------------
// The sessions card

export const sessionsCard = (app: AppPage) =>
  app.page.getByRole('region', { name: 'Sessions', exact: true })
export const sessionItems = (app: AppPage) => app.page.locator('#sessions-list > li')

/**
 * Waits until the card lists `count` sessions (and is not loading); returns each one's text as
 * shown, white space collapsed: "Chrome on Linux This device IP address 198.18.0.1 Signed in …".
 */
export async function waitForSessions(app: AppPage, count: number): Promise<string[]> {
  const { texts } = await eventually(
    `${count} session(s) in the list`,
    async () => {
      const busy = await app.page.locator('#sessions-list').getAttribute('aria-busy')
      const texts = (await sessionItems(app).allInnerTexts()).map((text) =>
        text.replace(/\s+/g, ' ').trim(),
      )
      return { busy, texts }
    },
    ({ busy, texts }) => busy !== 'true' && texts.length === count,
  )
  return texts
}

/** The "Sign out" button of the other session whose description starts with `who`. */
export const signOutButton = (app: AppPage, who: string) =>
  sessionsCard(app).getByRole('button', { name: new RegExp(`^Sign out ${escapeRegExp(who)}`) })

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// ---------------------------------------------------------------------------------------------
// The local mailbox (`npm run dev` prints its address): the emails the app wrote

/**
 * Opens the mailbox in the app's page, as a person would, and clicks the link in the newest
 * message to `to` with `subject`. Returns the link's address, to follow it again later.
 */
export async function followMailLink(
  app: AppPage,
  to: string,
  subject: string,
  { screenshot }: { screenshot?: string } = {},
): Promise<string> {
  assert.ok(e2e.mailboxUrl, 'no mailbox: set E2E_MAILBOX_URL')
  const { page } = app
  await page.goto(e2e.mailboxUrl)
  await visible(page.getByRole('heading', { level: 1, name: 'Local mailbox' }))
  // Newest first: the first message that matches is the latest one.
  const message = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { level: 2, name: subject, exact: true }) })
    .filter({ has: page.locator('.to', { hasText: to }) })
    .first()
  await visible(message)
  if (screenshot) await app.screenshot(screenshot, { fullPage: false })
  const link = message.getByRole('link')
  assert.equal(await link.count(), 1, `one link in "${subject}" to ${to}`)
  const href = (await link.getAttribute('href')) ?? ''
  assert.ok(href.startsWith(`${e2e.baseUrl}/app/#`), `a link into the app: ${href}`)
  await link.click()
  return href
}

/** The address bar shows no token: the app took it out of the address and the history entry. */
export function assertNoTokenInAddress(app: AppPage): void {
  const url = app.page.url()
  assert.doesNotMatch(url, /token/, `the address still holds the token: ${url}`)
}
