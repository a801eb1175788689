/**
 * End-to-end journeys through the browser app at /app/: `npm run test:e2e`.
 *
 * Starts `npm run dev` on a free port (BCRYPT_COST=4), drives a headless Chromium from
 * /usr/bin/chromium (never downloaded; CHROMIUM_PATH overrides), saves screenshots to
 * test-results/e2e/, and always stops the dev server's whole process tree and the browser.
 * E2E_BASE_URL=http://127.0.0.1:8787 runs against a server that is already up instead, with
 * E2E_MAILBOX_URL its mailbox (printed by `npm run dev`; without it, the journeys that read
 * email are left out, by name; the admin journeys make their admin with `npm run db:sql`, which
 * then reaches the database that PGLITE_DATA_DIR or DATABASE_URL name here, as it would for a
 * person); E2E_ONLY=text runs only the journeys whose name contains that text.
 * Ends with "N passed, M failed"; exits 1 on any failure.
 *
 * The journeys live in journeys/, one file per subject; support.ts has what they share.
 */
import {
  checkChromium,
  type DevServer,
  launchBrowser,
  runTests,
  startDevServer,
  stopDevServers,
  type TestCase,
} from './harness'
import { accessibilityJourneys } from './journeys/accessibility'
import { accountJourneys } from './journeys/account'
import { adminJourneys } from './journeys/admin'
import { emailLinkJourneys } from './journeys/email-links'
import { loginErrorJourneys, transportErrorJourneys } from './journeys/errors'
import { darkSchemeJourneys, firstVisitJourneys } from './journeys/first-visit'
import { reauthJourneys } from './journeys/reauth'
import { refreshCookieJourneys } from './journeys/refresh-cookie'
import { sessionsJourneys } from './journeys/sessions'
import { e2e } from './support'

const journeys: TestCase[] = [
  ...firstVisitJourneys,
  ...accountJourneys,
  ...refreshCookieJourneys,
  ...loginErrorJourneys,
  ...accessibilityJourneys,
  ...transportErrorJourneys,
  ...reauthJourneys,
  ...sessionsJourneys,
  ...emailLinkJourneys,
  ...adminJourneys,
  ...darkSchemeJourneys,
]

async function main(): Promise<number> {
  checkChromium()
  let server: DevServer | undefined
  let interrupted = false
  let stopping: Promise<void> | undefined
  const stopAll = () => {
    stopping ??= (async () => {
      await e2e.browser?.close().catch(() => undefined)
      await server?.stop()
      await stopDevServers()
    })()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = true
    console.log(`[e2e] ${signal}: stopping the browser and the dev server`)
    stopAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  try {
    if (process.env.E2E_BASE_URL) {
      e2e.baseUrl = process.env.E2E_BASE_URL.replace(/\/+$/, '')
      e2e.mailboxUrl = process.env.E2E_MAILBOX_URL ?? ''
    } else {
      server = await startDevServer()
      e2e.baseUrl = server.baseUrl
      e2e.mailboxUrl = server.mailboxUrl
      e2e.databaseEnv = server.databaseEnv
    }
    if (interrupted) return 130
    e2e.browser = await launchBrowser()
    const only = process.env.E2E_ONLY
    let selected = only ? journeys.filter((test) => test.name.includes(only)) : journeys
    if (!e2e.mailboxUrl) {
      const needMail = new Set<TestCase>(emailLinkJourneys)
      for (const test of selected.filter((candidate) => needMail.has(candidate))) {
        console.log(`[e2e] left out, no mailbox (set E2E_MAILBOX_URL): ${test.name}`)
      }
      selected = selected.filter((test) => !needMail.has(test))
    }
    const { passed, failed } = await runTests(selected, () => interrupted)
    if (interrupted) {
      await stopAll()
      return 130
    }
    if (failed && server) {
      console.log('[e2e] last lines of npm run dev:')
      console.log(server.output().split('\n').slice(-30).join('\n'))
    }
    await stopAll()
    console.log(`${passed} passed, ${failed} failed`)
    return failed === 0 && passed > 0 ? 0 : 1
  } catch (error) {
    await stopAll()
    if (interrupted) return 130
    console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`)
    console.log('0 passed, 1 failed')
    return 1
  }
}

main().then((code) => process.exit(code))
