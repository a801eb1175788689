/**
 * `npm run docs:walkthrough`: runs docs/walkthrough.sh, every route of the API as a reader would
 * type it, against `npm run dev` started here on free ports, with its embedded database in a
 * scratch directory (or the PostgreSQL that DATABASE_URL names), and stops it afterwards.
 * Exits with the script's status; on a failure, also prints what `npm run dev` said last.
 *
 *   npm run docs:walkthrough                   # what CI runs
 *   npm run docs:walkthrough -- --sync-docs    # copy the script into docs/api.md
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './free-port'
import { repoRoot } from './paths'
import { killGroup, startReaper } from './process-group'
import { syncWalkthroughDoc, walkthroughScript } from './walkthrough-doc'

const START_TIMEOUT_MS = 120_000
const SCRIPT_TIMEOUT_MS = 300_000
const STOP_GRACE_MS = 15_000
const KEPT_LINES = 60

const log = (message: string) => console.log(`[walkthrough] ${message}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function requireTools(): void {
  for (const tool of ['bash', 'curl', 'jq']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
      throw new Error(`the walkthrough needs ${tool} (Debian: apt-get install ${tool})`)
    }
  }
}

type Dev = { child: ChildProcess; exited: Promise<number | null>; output: string[] }

function startDev(env: NodeJS.ProcessEnv): Dev {
  const output: string[] = []
  // Its own process group, so one signal reaches npm, the dev script and what it started.
  const child = spawn('npm', ['run', 'dev'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    output.splice(0, Math.max(0, output.length - KEPT_LINES))
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  if (child.pid !== undefined) startReaper(child.pid)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, exited, output }
}

async function waitUntilAnswering(dev: Dev, url: string): Promise<void> {
  let gone = false
  dev.exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + START_TIMEOUT_MS
  while (!gone && Date.now() < deadline) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (response) => {
        await response.arrayBuffer()
        return response.ok
      },
      () => false,
    )
    if (answered) return
    await sleep(250)
  }
  throw new Error(gone ? 'npm run dev exited before it answered' : 'npm run dev never answered')
}

async function stopDev(dev: Dev): Promise<void> {
  // SIGTERM first: the dev script stops wrangler and closes its database cleanly.
  killGroup(dev.child, 'SIGTERM')
  const stopped = await Promise.race([dev.exited.then(() => true), sleep(STOP_GRACE_MS)])
  if (!stopped) killGroup(dev.child, 'SIGKILL')
}

function runScript(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = spawn('bash', [walkthroughScript], { cwd: repoRoot, env, stdio: 'inherit' })
    const timer = setTimeout(() => script.kill('SIGTERM'), SCRIPT_TIMEOUT_MS)
    script.once('error', reject)
    script.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? (signal ? 1 : 0))
    })
  })
}

async function main(): Promise<number> {
  if (process.argv.includes('--sync-docs')) {
    log(syncWalkthroughDoc() ? 'docs/api.md updated' : 'docs/api.md already shows the script')
    return 0
  }
  requireTools()
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-user-api-walkthrough-'))
  const [port, mailboxPort] = [await freePort(), await freePort()]
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    MAILBOX_PORT: String(mailboxPort),
    // npm run dev and the walkthrough's `npm run admin` must open the same database.
    PGLITE_DATA_DIR: path.join(scratch, 'pglite'),
    API: `http://127.0.0.1:${port}`,
    MAILBOX: `http://127.0.0.1:${mailboxPort}/`,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  }
  log(`starting npm run dev on ${env.API}, mailbox ${env.MAILBOX}`)
  const dev = startDev(env)
  const stop = () => {
    void stopDev(dev).finally(() => process.exit(130))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    await waitUntilAnswering(dev, `${env.API}/`)
    log('running docs/walkthrough.sh')
    const status = await runScript(env)
    if (status !== 0) log(`the walkthrough failed; npm run dev said:\n${dev.output.join('\n')}`)
    else log('every command of the walkthrough worked')
    return status
  } catch (error) {
    log(`${error instanceof Error ? error.message : error}; npm run dev said:`)
    console.log(dev.output.join('\n'))
    return 1
  } finally {
    await stopDev(dev)
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[walkthrough] ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
