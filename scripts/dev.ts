/**
 * `npm run dev`: the Worker in `wrangler dev`, talking through its production driver to a local
 * database behind neon-local (PGlite persisted at .data/pglite, or the PostgreSQL server named by
 * DATABASE_URL), with migrations applied first. A DATABASE_URL on *.neon.tech is used directly.
 *
 *   npm run dev                      # PGlite
 *   DATABASE_URL=postgresql://... npm run dev
 *   PORT=9000 npm run dev -- --log-level debug   # arguments after -- go to wrangler dev
 *
 * Once the app answers, prints its address and the local mailbox's (every email the app wrote,
 * with clickable links; no email leaves this machine).
 *
 * Env: PORT (8787), MAILBOX_PORT (8025, or any free port when that one is taken),
 * NEON_LOCAL_PORT (any free port), and JWT_SECRET, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL,
 * SESSION_MAX_AGE, BCRYPT_COST, CORS_ORIGINS, which override .dev.vars / wrangler.toml.
 * A taken PORT (or MAILBOX_PORT, when set) stops it before anything starts, naming the setting.
 */
import { redactPassword } from '../tools/neon-local/index'
import { hasOption } from './cli-options'
import { parsePort } from './dev-ports'
import { type DevServer, exitCodeOf, startDevServer } from './dev-server'
import { pgliteDataDir } from './paths'

const PLAIN_OVERRIDES = [
  'ACCESS_TOKEN_TTL',
  'REFRESH_TOKEN_TTL',
  'SESSION_MAX_AGE',
  'BCRYPT_COST',
  'CORS_ORIGINS',
]
const DUPLICATE_SIGNAL_MS = 1000
// A fixed default, so the mailbox keeps its address across restarts and the API walkthrough
// (docs/walkthrough.sh) finds it; 8025 is where local mail catchers usually are.
const DEFAULT_MAILBOX_PORT = 8025

const log = (message: string) => console.log(`[dev] ${message}`)

/** Prints where to go once wrangler answers, below its own start-up lines. */
async function announceWhenReady(dev: DevServer): Promise<void> {
  const { url, mailboxUrl } = await dev.started
  let exited = false
  const markExited = () => {
    exited = true
  }
  dev.exited.then(markExited, markExited)
  while (!exited) {
    const answered = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) }).then(
      async (response) => {
        await response.arrayBuffer()
        return true
      },
      () => false,
    )
    if (answered) {
      log(`app: ${url}/app/`)
      log(`mailbox: ${mailboxUrl}`)
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function main(): Promise<number> {
  const dashDash = process.argv.indexOf('--')
  const extraArgs = dashDash === -1 ? process.argv.slice(2) : process.argv.slice(dashDash + 1)
  const vars: Record<string, string> = {}
  for (const name of PLAIN_OVERRIDES) {
    const value = process.env[name]
    if (value !== undefined) vars[name] = value
  }
  const secrets: Record<string, string> = {}
  if (process.env.JWT_SECRET !== undefined) secrets.JWT_SECRET = process.env.JWT_SECRET

  const portInArgs = hasOption(extraArgs, '--port')
  const mailboxPortSetting = process.env.MAILBOX_PORT?.trim()

  const dev = startDevServer({
    databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
    pgliteDataDir,
    host: '127.0.0.1',
    port: portInArgs ? 8787 : parsePort(process.env.PORT?.trim() || '8787', 'PORT'),
    portHint: portInArgs
      ? (port) => `pass another one, e.g. npm run dev -- --port ${port + 1}`
      : (port) => `set PORT to another one, e.g. PORT=${port + 1} npm run dev`,
    neonLocalPort: Number(process.env.NEON_LOCAL_PORT) || 0,
    mailboxPort: mailboxPortSetting
      ? parsePort(mailboxPortSetting, 'MAILBOX_PORT')
      : DEFAULT_MAILBOX_PORT,
    mailboxPortHint: mailboxPortSetting
      ? (port) => `set MAILBOX_PORT to another one, e.g. MAILBOX_PORT=${port + 1} npm run dev`
      : undefined,
    vars,
    secrets,
    wranglerArgs: extraArgs,
    log,
  })

  let stopping: { signal: NodeJS.Signals; at: number } | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      stopping = { signal, at: Date.now() }
      if (!dev.stop(signal)) log('stopping once the database is ready (signal again to force)')
      return
    }
    // tsx relays a signal its child may already have had from the terminal: a repeat within a
    // moment is the same request, not an impatient second one.
    if (Date.now() - stopping.at < DUPLICATE_SIGNAL_MS) return
    if (!dev.kill()) process.exit(exitCodeOf(null, stopping.signal))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  announceWhenReady(dev).catch(() => undefined)

  return dev.exited
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`[dev] ${redactPassword(message, process.env.DATABASE_URL?.trim())}`)
    process.exit(1)
  },
)
