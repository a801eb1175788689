import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDevPorts, isPortTaken, parsePort } from './dev-ports'
import { freePort } from './free-port'
import { repoRoot } from './paths'

let blocker: net.Server
let takenPort: number
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-ports-'))

beforeAll(async () => {
  blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  takenPort = (blocker.address() as net.AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => blocker.close(resolve))
  fs.rmSync(scratch, { recursive: true, force: true })
})

/** `npm run dev` as a user starts it, with its database (if it ever got that far) in scratch. */
function runDev(env: Record<string, string>, args: string[] = []) {
  const pgliteDataDir = path.join(scratch, `pglite-${Math.random().toString(36).slice(2)}`)
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/dev.ts', ...(args.length ? ['--', ...args] : [])],
    {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: pgliteDataDir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  )
  return { ...result, databaseStarted: fs.existsSync(pgliteDataDir) }
}

describe('npm run dev on a taken port', () => {
  it('stops before the database starts, naming PORT and a port to try', () => {
    const run = runDev({ PORT: String(takenPort) })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      `127.0.0.1:${takenPort}, where the app would listen, is taken (another \`npm run dev\`?): set PORT to another one, e.g. PORT=${takenPort + 1} npm run dev`,
    )
    expect(run.stdout).not.toContain('database:')
    expect(run.databaseStarted).toBe(false)
  })

  it('names --port when the port came from the arguments for wrangler', () => {
    const run = runDev({}, ['--port', String(takenPort)])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(`e.g. npm run dev -- --port ${takenPort + 1}`)
    expect(run.databaseStarted).toBe(false)
  })

  it('names MAILBOX_PORT when the mailbox port it sets is taken', async () => {
    const free = await freePort()
    const run = runDev({ PORT: String(free), MAILBOX_PORT: String(takenPort) })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(`where the mailbox would listen, is taken`)
    expect(run.stderr).toContain(`MAILBOX_PORT=${takenPort + 1} npm run dev`)
    expect(run.databaseStarted).toBe(false)
  })

  it('refuses a PORT that is not a port number, by name', () => {
    const run = runDev({ PORT: '80x' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('PORT must be a port number from 1 to 65535, not "80x"')
  })
})

describe('the mailbox port', () => {
  it('falls back to any free port when its default is taken, and says so', async () => {
    const messages: string[] = []
    const port = await checkDevPorts({
      host: '127.0.0.1',
      port: String(await freePort()),
      portHint: undefined,
      mailboxPort: takenPort,
      mailboxPortHint: undefined,
      log: (message) => messages.push(message),
    })
    expect(port).toBe(0)
    expect(messages).toEqual([`mailbox: port ${takenPort} is taken, using a free one`])
  })

  it('keeps a free one', async () => {
    const free = await freePort()
    const port = await checkDevPorts({
      host: '127.0.0.1',
      port: String(await freePort()),
      portHint: undefined,
      mailboxPort: free,
      mailboxPortHint: () => 'unused',
      log: () => undefined,
    })
    expect(port).toBe(free)
  })
})

describe('port helpers', () => {
  it('tell a taken port from a free one', async () => {
    expect(await isPortTaken('127.0.0.1', takenPort)).toBe(true)
    expect(await isPortTaken('127.0.0.1', await freePort())).toBe(false)
  })

  it('parse port settings strictly', () => {
    expect(parsePort('8787', 'PORT')).toBe(8787)
    expect(() => parsePort('0', 'PORT')).toThrow('PORT must be a port number')
    expect(() => parsePort('65536', 'PORT')).toThrow('PORT must be a port number')
    expect(() => parsePort('', 'PORT')).toThrow('PORT must be a port number')
  })
})
