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

/**
 * What workerd logs when a test takes the database away on purpose (the Neon endpoint pointed at
 * a closed loopback port, for the 503 answers): the refused connection, its native stack, and the
 * rejected fetch it reports as uncaught although the app turns it into a 503 (the tests assert
 * that answer). Each of these lines alone; a native stack only right after a dropped line.
 */
export const DELIBERATE_OUTAGE = [
  /^exception = kj\/async-io-unix\.c\+\+:\d+: disconnected: connect\(\): Connection refused$/,
  /^uncaught exception; source = Uncaught \(in promise\); stack = Error: Network connection lost\.$/,
  /^uncaught exception; exception = workerd\/jsg\/[\w/.]+:\d+: disconnected: jsg\.Error: Network connection lost\.$/,
]
const NATIVE_STACK = /^stack:( \S+@[0-9a-f]+)+$/

/**
 * Drops those lines from `stream` (the pool writes them to stdout or stderr, at workerd's `info`
 * level); every other line passes as it came.
 */
export function dropRunnerDisconnects(stream: NodeJS.WriteStream): void {
  const write = stream.write
  let afterDropped = false
  const dropped = (line: string) => {
    const drop =
      DELIBERATE_OUTAGE.some((pattern) => pattern.test(line)) ||
      (afterDropped && NATIVE_STACK.test(line))
    afterDropped = drop
    return drop
  }
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && RUNNER_DISCONNECT.test(chunk)) {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
    if (typeof chunk === 'string') {
      const lines = chunk.split(/(?<=\n)/)
      const kept = lines.filter((line) => line === '\n' || !dropped(line.replace(/\n$/, '')))
      if (kept.length < lines.length) {
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
        if (kept.join('').trim() === '') {
          callback?.()
          return true
        }
        return write.apply(this, [kept.join(''), ...rest] as Parameters<typeof write>)
      }
    }
    return write.apply(this, [chunk, ...rest] as Parameters<typeof write>)
  } as typeof stream.write
}
