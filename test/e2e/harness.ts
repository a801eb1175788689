/**
 * The end-to-end harness: the dev server as a user starts it (`npm run dev`, server.ts), a
 * headless Chromium and pages that record console and page errors (browser.ts), waiting and
 * checking (checks.ts), and here a small sequential test runner. The journeys, support.ts and
 * run.ts import all of it from here.
 */
export {
  AppPage,
  CHROMIUM_PATH,
  checkChromium,
  clientAddress,
  launchBrowser,
  screenshotDir,
} from './browser'
export { eventually, gone, hasText, visible } from './checks'
export { type DevServer, repoRoot, startDevServer, stopDevServers } from './server'

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
