/**
 * `npm run admin` in its own process, as an operator runs it: on the embedded database while
 * `npm run dev` holds it (this test holds it, and announces its endpoint the way dev does), and
 * on a PostgreSQL server through DATABASE_URL when the run has one.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { neon, neonConfig } from '@neondatabase/serverless'
import { verify } from '@node-rs/bcrypt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  endpointFileFor,
  removeEndpointFile,
  writeEndpointFile,
} from '../tools/neon-local/endpoint-file'
import { describeDatabaseUrl, type NeonLocal, startNeonLocal } from '../tools/neon-local/index'
import { migrate } from '../tools/neon-local/migrate'
import { createScratchDatabase, testServerUrl } from '../tools/neon-local/scratch-db'
import { runScript, type ScriptDatabase, scriptEnv } from './cli-runner'
import { migrationsFolder } from './paths'

type Backend = {
  name: string
  start(): Promise<{ local: NeonLocal; database: ScriptDatabase; cleanup(): Promise<void> }>
}

const serverUrl = testServerUrl()
const backends: Backend[] = [
  {
    name: 'the embedded database, through the endpoint of a running `npm run dev`',
    async start() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-cli-'))
      const pgliteDataDir = path.join(dir, 'pglite')
      const local = await startNeonLocal({ pgliteDataDir })
      const file = endpointFileFor(pgliteDataDir)
      const { endpoint, connectionString, backend: description } = local
      writeEndpointFile(file, {
        endpoint,
        connectionString,
        backend: description,
        pid: process.pid,
      })
      return {
        local,
        database: { pgliteDataDir },
        async cleanup() {
          removeEndpointFile(file)
          await local.close()
          fs.rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  },
]
if (serverUrl) {
  backends.push({
    name: `PostgreSQL through DATABASE_URL (scratch database on ${describeDatabaseUrl(serverUrl)})`,
    async start() {
      const scratch = await createScratchDatabase(serverUrl, 'admin_cli_test')
      // The test's own view of the database; the script starts its own endpoint.
      const local = await startNeonLocal({ databaseUrl: scratch.url })
      return {
        local,
        database: { databaseUrl: scratch.url },
        async cleanup() {
          await local.close()
          await scratch.drop()
        },
      }
    },
  })
}

const PASSWORD = 'Bootstrap-Admin-7'

describe.each(backends)('npm run admin on $name', (backend) => {
  let started: Awaited<ReturnType<Backend['start']>> | undefined
  const admin = (args: string[], input?: string) => {
    if (!started) throw new Error('not started')
    const env = scriptEnv(started.database, { BCRYPT_COST: '5' })
    return runScript('admin.ts', args, { env, ...(input === undefined ? {} : { input }) })
  }
  const query = (text: string, params: unknown[] = []) => {
    if (!started) throw new Error('not started')
    neonConfig.fetchEndpoint = started.local.endpoint
    return neon(started.local.connectionString).query(text, params)
  }
  const liveSessions = async (email: string) => {
    const rows = await query(
      'select count(*)::int as live from sessions s join users u on u.id = s.user_id where u.email = $1 and s.ended_at is null',
      [email],
    )
    return rows[0]?.live
  }

  beforeAll(async () => {
    started = await backend.start()
    await migrate({
      databaseUrl: started.local.connectionString,
      fetchEndpoint: started.local.endpoint,
      migrationsFolder,
    })
    // An account with two live sessions, as two logins leave it.
    await query(
      `with u as (insert into users (name, email, password_hash) values ('Ada', 'ada@example.com', '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234') returning id)
       insert into sessions (user_id, expires_at, idle_expires_at)
       select id, now() + interval '1 day', now() + interval '1 day' from u, generate_series(1, 2)`,
    )
  }, 60_000)
  afterAll(() => started?.cleanup())

  it('promotes by email, ending the sessions as the API does; a second promote changes nothing', async () => {
    expect(await liveSessions('ada@example.com')).toBe(2)
    const first = await admin(['promote', '  ADA@example.com '])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/ada@example\.com is now an admin \(was an ordinary user\)/)
    expect(await liveSessions('ada@example.com')).toBe(0)
    const [before] = await query(
      "select role, updated_at from users where email = 'ada@example.com'",
    )
    expect(before?.role).toBe('admin')

    const again = await admin(['promote', 'ada@example.com'])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/ada@example\.com is already an admin; nothing changed/)
    const [after] = await query(
      "select role, updated_at from users where email = 'ada@example.com'",
    )
    expect(after).toEqual(before)
  })

  it('demotes, ending the sessions opened as an admin', async () => {
    await query(
      `insert into sessions (user_id, expires_at, idle_expires_at)
       select id, now() + interval '1 day', now() + interval '1 day' from users where email = 'ada@example.com'`,
    )
    const result = await admin(['demote', 'ada@example.com'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/is now an ordinary user \(was an admin\)/)
    expect(await liveSessions('ada@example.com')).toBe(0)
    const [row] = await query("select role from users where email = 'ada@example.com'")
    expect(row?.role).toBe('user')
  })

  it('says so for an email that has no account', async () => {
    const unknown = await admin(['promote', 'nobody@example.com'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/No account has the email nobody@example\.com/)
  })

  it('creates a verified admin with a hash the app verifies, the password read from stdin', async () => {
    const result = await admin(
      ['create', 'Grace@Example.com', '--name', 'Grace Hopper'],
      `${PASSWORD}\n`,
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Created admin grace@example\.com .*bcrypt cost 5/)
    expect(result.stdout).not.toContain(PASSWORD)
    const [row] = await query(
      "select name, role, email_verified_at is not null as verified, password_hash from users where email = 'grace@example.com'",
    )
    expect(row).toMatchObject({ name: 'Grace Hopper', role: 'admin', verified: true })
    const hash = String(row?.password_hash)
    expect(hash).toMatch(/^\$2b\$05\$/)
    // The native bcrypt stands in for the app's WebAssembly one here (it loads only in workerd);
    // the two agree byte for byte (src/lib/bcrypt-wasm.test.ts), and db-import.test.ts logs in.
    expect(await verify(PASSWORD, hash)).toBe(true)
    expect(await verify(`${PASSWORD}x`, hash)).toBe(false)
  })

  it('leaves existing accounts alone: an admin is fine, a user is pointed at promote', async () => {
    const already = await admin(['create', 'grace@example.com', '--name', 'G'], `${PASSWORD}\n`)
    expect(already.code).toBe(0)
    expect(already.stdout).toMatch(/already has an account and is an admin; nothing changed/)
    const user = await admin(['create', 'ada@example.com', '--name', 'Ada'], `${PASSWORD}\n`)
    expect(user.code).toBe(1)
    expect(user.stderr).toMatch(/npm run admin -- promote ada@example\.com/)
    const [row] = await query("select role from users where email = 'ada@example.com'")
    expect(row?.role).toBe('user')
  })

  it('refuses a password the API would refuse, or none, and creates nothing', async () => {
    const weak = await admin(['create', 'weak@example.com', '--name', 'Weak'], 'password\n')
    expect(weak.code).toBe(1)
    expect(weak.stderr).toMatch(
      /The password must contain an upper-case letter; must contain a digit/,
    )
    const none = await admin(['create', 'weak@example.com', '--name', 'Weak'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/No password/)
    const rows = await query("select 1 from users where email = 'weak@example.com'")
    expect(rows).toEqual([])
  })
})

describe('npm run admin without a database', () => {
  const missing = path.join(os.tmpdir(), `admin-cli-none-${process.pid}`, 'pglite')
  const admin = (args: string[]) =>
    runScript('admin.ts', args, { env: scriptEnv({ pgliteDataDir: missing }) })

  it('reads the command line first: what is wrong with it, and the usage', async () => {
    const badEmail = await admin(['promote', 'not-an-email'])
    expect(badEmail.code).toBe(2)
    expect(badEmail.stderr).toMatch(/"not-an-email" is not an email address[\s\S]*Usage:/)
    const noName = await admin(['create', 'x@example.com'])
    expect(noName.code).toBe(2)
    expect(noName.stderr).toMatch(/create needs --name/)
  })

  it('says there is none, rather than making an empty one', async () => {
    const result = await admin(['promote', 'ada@example.com'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/No database: DATABASE_URL is not set.*npm run dev/)
    expect(fs.existsSync(missing)).toBe(false)
  })
})

describe('npm run admin on the embedded database while `npm run dev` is stopped', () => {
  it('opens the database itself, and leaves it for the next process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-cli-stopped-'))
    const pgliteDataDir = path.join(dir, 'pglite')
    const open = async () => {
      const local = await startNeonLocal({ pgliteDataDir })
      neonConfig.fetchEndpoint = local.endpoint
      return { local, sql: neon(local.connectionString) }
    }
    try {
      const before = await open()
      await migrate({
        databaseUrl: before.local.connectionString,
        fetchEndpoint: before.local.endpoint,
        migrationsFolder,
      })
      await before.sql.query(
        "insert into users (name, email, password_hash) values ('Lin', 'lin@example.com', '$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234')",
      )
      await before.local.close()
      const result = await runScript('admin.ts', ['promote', 'lin@example.com'], {
        env: scriptEnv({ pgliteDataDir }),
      })
      expect(result.stderr).toBe('')
      expect(result.stdout).toMatch(/lin@example\.com is now an admin/)
      const after = await open()
      try {
        expect(
          await after.sql.query("select role from users where email = 'lin@example.com'"),
        ).toEqual([{ role: 'admin' }])
      } finally {
        await after.local.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
