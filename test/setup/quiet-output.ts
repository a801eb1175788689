/**
 * Two kinds of line the Workers pool printed for every test file, neither about the tests. Runs
 * in vitest's main process (vitest.config.ts imports it), where the pool runs. Everything else,
 * failures and the app's log lines of failing tests included, is printed as before.
 */

/**
 * wrangler's "Using secrets defined in .dev.vars": the pool reads wrangler.toml through
 * wrangler, which also reads .dev.vars and says so at its `log` level. The tests set their own
 * secret and settings over whatever .dev.vars holds (vitest.config.ts), so the notice misleads.
 * wrangler's warnings and errors still show, and a WRANGLER_LOG set by hand wins.
 */
export function quietWranglerNotices(): void {
  process.env.WRANGLER_LOG ??= 'warn'
}

/**
 * workerd logs this when the pool closes its connection to a test file's runner: normal
 * teardown, nothing failed. The pool already drops its siblings ("WebSocket was aborted",
 * "operation canceled"); versions after the pinned 0.15.1 drop this one too
 * (cloudflare/workers-sdk#13833), and this filter can go with that upgrade. Only the exact
 * one-line message is dropped; the same words with anything else around them still print.
 */
export const RUNNER_DISCONNECT =
  /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n?$/

/** Drops those lines from `stream` (the pool writes them to stdout, at workerd's `info` level). */
export function dropRunnerDisconnects(stream: NodeJS.WriteStream): void {
  const write = stream.write
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && RUNNER_DISCONNECT.test(chunk)) {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
    return write.apply(this, [chunk, ...rest] as Parameters<typeof write>)
  } as typeof stream.write
}
