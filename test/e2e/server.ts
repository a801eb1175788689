/**
 * The dev server as a user starts it (`npm run dev`), its database in a scratch directory, and
 * the clean-up that stops its whole process tree whatever happens to this process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../scripts/free-port'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const log = (message: string) => console.log(`[e2e] ${message}`)

export type DevServer = {
  baseUrl: string
  /** The local mailbox `npm run dev` starts beside the app: the outbox's messages. */
  mailboxUrl: string
  /**
   * The settings that name its database (PGLITE_DATA_DIR, or DATABASE_URL when set), for the
   * project's own database tools (`npm run db:sql`) to reach the same one.
   */
  databaseEnv: NodeJS.ProcessEnv
  stop(): Promise<void>
  output(): string
}

/** Dev servers started and not yet stopped, so a signal during start-up stops them too. */
const running = new Set<() => Promise<void>>()
export const stopDevServers = () => Promise.all([...running].map((stop) => stop()))

/**
 * A detached watchdog that stops the dev server's process tree if this process dies without
 * doing it (tsx answers a Ctrl-C its child is slow to acknowledge with SIGKILL). It exits by
 * itself once the dev server's process group is gone.
 */
const REAPER = `
const [parent, root] = process.argv.slice(1).map(Number)
const fs = require('node:fs')
const alive = (pid) => { try { process.kill(pid, 0); return true } catch { return false } }
const groupAlive = (group) => { try { process.kill(-group, 0); return true } catch { return false } }
const tree = () => {
  const children = new Map()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync('/proc/' + entry + '/stat', 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const list = children.get(Number(fields[1])) || []
      list.push([Number(entry), Number(fields[2])])
      children.set(Number(fields[1]), list)
    } catch {}
  }
  const found = []
  const queue = [root]
  while (queue.length) for (const item of children.get(queue.shift()) || []) { found.push(item); queue.push(item[0]) }
  return found
}
const timer = setInterval(() => {
  if (!groupAlive(root)) process.exit(0)
  if (alive(parent)) return
  clearInterval(timer)
  const members = tree()
  try { process.kill(-root, 'SIGTERM') } catch {}
  const deadline = Date.now() + 15000
  setInterval(() => {
    const left = members.filter(([pid]) => alive(pid))
    if (left.length && Date.now() < deadline) return
    for (const [pid, group] of left) {
      try { process.kill(-group, 'SIGKILL') } catch {}
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    try { process.kill(-root, 'SIGKILL') } catch {}
    process.exit(0)
  }, 200)
}, 300)
`

function startReaper(root: number): void {
  if (!fs.existsSync('/proc')) return
  spawn(process.execPath, ['-e', REAPER, String(process.pid), String(root)], {
    detached: true,
    stdio: 'ignore',
  }).unref()
}

/** Every process below `root` (Linux /proc), so nothing the dev script started is left behind. */
function descendants(root: number): number[] {
  if (!fs.existsSync('/proc')) return []
  const children = new Map<number, number[]>()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name (field 2) may contain spaces; the fields after its ")" do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = []
  const queue = [root]
  while (queue.length) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `npm run dev` on a free port, in its own process group, with BCRYPT_COST=4 for speed, and an
 * embedded database in a scratch directory (removed at the stop), so the journeys neither read
 * nor leave anything in the developer's `.data/pglite`, and can run while `npm run dev` does.
 * With DATABASE_URL set, that database is used instead, and the journeys' unique emails keep
 * them apart from what it holds.
 */
export async function startDevServer(): Promise<DevServer> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const mailboxPort = await freePort()
  const mailboxUrl = `http://127.0.0.1:${mailboxPort}/`
  const lines: string[] = []
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-user-api-e2e-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGLITE_DATA_DIR: path.join(scratchDir, 'pglite'),
    PORT: String(port),
    MAILBOX_PORT: String(mailboxPort),
    BCRYPT_COST: '4',
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
  log(`starting npm run dev on ${baseUrl}`)
  const child: ChildProcess = spawn('npm', ['run', 'dev'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    if (lines.length > 400) lines.splice(0, lines.length - 400)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true
      lines.push(`(npm run dev exited: ${signal ?? code})`)
      resolve()
    })
  })

  let stopping: Promise<void> | undefined
  // Every caller (the end of the run, a signal) waits for the same, complete stop.
  const stop = () => {
    stopping ??= stopTree().finally(() => {
      running.delete(stop)
      fs.rmSync(scratchDir, { recursive: true, force: true })
    })
    return stopping
  }
  running.add(stop)
  if (child.pid !== undefined) startReaper(child.pid)
  const stopTree = async () => {
    const pid = child.pid
    if (pid === undefined) return
    const tree = [pid, ...descendants(pid)]
    const groups = new Set<number>([pid])
    for (const member of tree) {
      try {
        const stat = fs.readFileSync(`/proc/${member}/stat`, 'utf8')
        groups.add(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))
      } catch {
        // gone already
      }
    }
    // SIGTERM first: the dev script stops wrangler and closes its database cleanly.
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      // already gone
    }
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && tree.some(isAlive)) await sleep(100)
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL')
      } catch {
        // gone
      }
    }
    for (const member of tree) {
      try {
        process.kill(member, 'SIGKILL')
      } catch {
        // gone
      }
    }
    if (!exited) await Promise.race([exitedPromise, sleep(2000)])
  }

  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`npm run dev exited before it answered:\n${lines.slice(-40).join('\n')}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`npm run dev did not answer GET / in 120 s:\n${lines.slice(-40).join('\n')}`)
    }
    try {
      const response = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.ok) break
    } catch {
      // not listening yet
    }
    await sleep(250)
  }
  log('dev server is up')
  const databaseEnv = Object.fromEntries(
    ['PGLITE_DATA_DIR', 'DATABASE_URL'].flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  )
  return { baseUrl, mailboxUrl, databaseEnv, stop, output: () => lines.join('\n') }
}
