/** Waiting and checking (playwright-core has no `expect`). */
import type { Locator } from 'playwright-core'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Probes until `accept` takes what it saw; after `timeoutMs`, throws with the last of it. */
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
