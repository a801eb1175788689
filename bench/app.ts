/** The app under load: `npm run dev`'s start-up, with the bench's settings, until it answers. */
import crypto from 'node:crypto'
import path from 'node:path'
import { type DevServer, startDevServer } from '../scripts/dev-server'
import { freePort } from '../scripts/free-port'
import { log, settings, sleep } from './settings'

async function waitUntilServing(url: string, dev: DevServer): Promise<void> {
  let exited = false
  const markExited = () => {
    exited = true
  }
  dev.exited.then(markExited, markExited)
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(`${url}/`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  throw new Error(`the app did not answer at ${url}:\n${dev.recentOutput()}`)
}

/**
 * Starts wrangler dev on a free port in front of `databaseUrl` (a scratch database) or PGlite
 * in `tempDir`. `onStarting` gets the server at once, so a signal can stop it while it starts.
 */
export async function startApp(options: {
  databaseUrl: string | undefined
  tempDir: string
  onStarting: (dev: DevServer) => void
}) {
  const port = await freePort()
  const dev = startDevServer({
    databaseUrl: options.databaseUrl,
    pgliteDataDir: path.join(options.tempDir, 'pglite'),
    host: '127.0.0.1',
    port,
    vars: { BCRYPT_COST: String(settings.bcryptCost), CORS_ORIGINS: '' },
    secrets: { JWT_SECRET: crypto.randomBytes(32).toString('hex') },
    secretsEnvPath: path.join(options.tempDir, 'secrets.env'),
    // Two log lines per request printed by wrangler's Node process would compete with the app
    // for the two cores; the Worker still writes them, and errors are still shown.
    wranglerArgs: ['--log-level', 'warn'],
    output: 'capture',
    log,
  })
  options.onStarting(dev)
  const running = await dev.started
  await waitUntilServing(running.url, dev)
  return { dev, ...running }
}
