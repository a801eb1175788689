/**
 * `npm run db:import` end to end: the old FastAPI service (its own code, on a scratch database
 * on a real PostgreSQL) registers the users through its API; the import moves them into the
 * database of our app, which runs as `npm run dev` runs it (wrangler dev, workerd, the Neon
 * driver); the users then log in to our API with their old passwords. Ours is a scratch database
 * on TEST_DATABASE_URL's server (DATABASE_URL for the scripts), or without one the embedded
 * database, which the scripts reach through the running dev server's endpoint. `npm run admin`
 * is run against the same running app.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { neon, neonConfig } from '@neondatabase/serverless'
import { hashSync } from '@node-rs/bcrypt'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NeonLocal } from '../tools/neon-local/index'
import {
  createScratchDatabase,
  type ScratchDatabase,
  testServerUrl,
} from '../tools/neon-local/scratch-db'
import { runScript, type ScriptDatabase, scriptEnv } from './cli-runner'
import {
  postgresMissing,
  type ReferenceService,
  referenceServiceMissing,
  startReferenceService,
} from './db-import/reference-service'
import { type DevServer, startDevServer } from './dev-server'
import { freePort } from './free-port'

const ourServerUrl = testServerUrl()
// The old service needs a real PostgreSQL whatever our database is.
const oldServerUrl = ourServerUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

const missing = referenceServiceMissing() ?? (await postgresMissing(oldServerUrl))
const TITLE = "db:import moves users registered through the old service's API; they log in to ours"

type Person = { name: string; email: string; password: string; id?: string; createdAt?: string }
const ada: Person = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'Analytical-1843' }
const bob: Person = { name: 'Bob Builder', email: 'bob@example.com', password: 'Can-We-Fix-It-9' }
const carol: Person = {
  name: 'Carol Shaw',
  email: 'carol@example.com',
  password: 'River-Raid-1982',
}
// The old API takes a control character in a name; the contract does not.
const dave: Person = {
  name: 'Dave\u0007Bell',
  email: 'dave@example.com',
  password: 'Ding-Dong-4ever',
}
// Also registered on our side before the import, as another account.
const taken: Person = { name: 'Taken', email: 'taken@example.com', password: 'Already-Here-42' }
const grace = { id: crypto.randomUUID(), password: 'Cobol-Compiler-1959' }

const json = async (url: string, body?: unknown, token?: string) => {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  // biome-ignore lint/suspicious/noExplicitAny: the envelope's data differs per route
  return { status: response.status, body: (await response.json()) as any }
}

const USER_COLUMNS = `id::text, name, email, password_hash, role::text, email_verified_at is not null as verified,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as created,
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as updated`

if (missing) {
  if (process.env.CI) {
    it(`${TITLE}: PostgreSQL and the reference service's python3 packages are required in CI`, () => {
      throw new Error(missing)
    })
  } else {
    it.skip(`${TITLE}: not run, ${missing}`, () => {})
  }
} else {
  describe(TITLE, () => {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-import-test-'))
    let oldDb: ScratchDatabase | undefined
    let ourDb: ScratchDatabase | undefined
    let old: ReferenceService | undefined
    let dev: DevServer | undefined
    let app = ''
    let local: NeonLocal | undefined
    let database: ScriptDatabase = { pgliteDataDir: path.join(tempDir, 'pglite') }
    const oldClient = () => {
      const client = new pg.Client({ connectionString: oldDb?.url })
      client.on('error', () => undefined)
      return client
    }
    const ours = (text: string, params: unknown[] = []) => {
      if (!local) throw new Error('no endpoint')
      neonConfig.fetchEndpoint = local.endpoint
      return neon(local.connectionString).query(text, params)
    }
    const snapshot = () => ours(`select ${USER_COLUMNS} from users order by id`)
    const runImport = (...args: string[]) =>
      runScript('db-import.ts', ['--from', oldDb?.url ?? '', ...args], { env: scriptEnv(database) })
    const login = (email: string, password: string) =>
      json(`${app}/v1/users/login`, { email, password })

    beforeAll(async () => {
      oldDb = await createScratchDatabase(oldServerUrl, 'old_service_test')
      old = await startReferenceService({ databaseUrl: oldDb.url, bcryptCost: 10 })
      if (ourServerUrl) {
        ourDb = await createScratchDatabase(ourServerUrl, 'db_import_test')
        database = { databaseUrl: ourDb.url }
      }
      dev = startDevServer({
        databaseUrl: ourDb?.url,
        pgliteDataDir: path.join(tempDir, 'pglite'),
        host: '127.0.0.1',
        port: await freePort(),
        vars: { BCRYPT_COST: '4', CORS_ORIGINS: '' },
        secrets: { JWT_SECRET: crypto.randomBytes(32).toString('hex') },
        secretsEnvPath: path.join(tempDir, 'secrets.env'),
        wranglerArgs: ['--log-level', 'warn'],
        output: 'capture',
        log: () => undefined,
      })
      const running = await dev.started
      app = running.url
      local = running.neonLocal
      for (const deadline = Date.now() + 120_000; ; ) {
        const answered = await fetch(`${app}/`).then(
          (r) => r.ok,
          () => false,
        )
        if (answered) break
        if (Date.now() > deadline) throw new Error(`the app did not answer:\n${dev.recentOutput()}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }, 240_000)

    afterAll(async () => {
      dev?.stop()
      await dev?.exited.catch(() => undefined)
      await old?.stop()
      await oldDb?.drop()
      await ourDb?.drop()
      fs.rmSync(tempDir, { recursive: true, force: true })
    }, 60_000)

    it("fills the old database through the old service's own API", async () => {
      for (const person of [ada, bob, carol, dave, taken]) {
        const registered = await json(`${old?.url}/v1/users`, {
          name: person.name,
          email: person.email.toUpperCase(),
          password: person.password,
        })
        expect(registered.status, JSON.stringify(registered.body)).toBe(201)
        expect(registered.body.data.email).toBe(person.email)
        person.id = registered.body.data.userId
        person.createdAt = registered.body.data.createdAt
      }
      // A change through the old API, so updated_at is not created_at.
      const token = (
        await json(`${old?.url}/v1/users/login`, { email: bob.email, password: bob.password })
      ).body.data.token
      const renamed = await fetch(`${old?.url}/v1/users/me`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: 'Robert Builder' }),
      })
      expect(renamed.status).toBe(200)
      bob.name = 'Robert Builder'
      // The old API lower-cases and checks every email it takes, so rows it could never have
      // written go into its table directly, as older code or hand-made fixes left them.
      const client = oldClient()
      await client.connect()
      await client.query(
        `insert into users (name, email, password_hash)
         select 'Ada Again', 'Ada@Example.com', password_hash from users where email = 'ada@example.com'
         union all select 'Dots', 'dots..twice@example.com', password_hash from users where email = 'ada@example.com'
         union all select 'Plain', 'plain@example.com', 'sha256$5f4dcc3b5aa765d61d8327deb882cf99'`,
      )
      // The old service had no admin routes: its admins were made in the table.
      await client.query("update users set role = 'admin' where email = 'carol@example.com'")
      // A mixed-case email with no twin, its hash in the older $2a$ format.
      await client.query(
        `insert into users (user_id, name, email, password_hash) values ($1, 'Grace Hopper', 'Grace@Example.com', $2)`,
        [grace.id, hashSync(grace.password, { cost: 10, version: '2a' })],
      )
      await client.end()
      const { name, email, password } = taken
      const here = await json(`${app}/v1/users`, { name, email, password })
      expect(here.status).toBe(201)
      expect(here.body.data.userId).not.toBe(taken.id)
    })

    it('--dry-run reports what it would do and writes nothing', async () => {
      const before = await snapshot()
      const result = await runImport('--dry-run')
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(
        'Dry run, nothing written: 9 rows read; 4 to import (1 of them admins), 0 already here (left as they are), 5 skipped',
      )
      expect(await snapshot()).toEqual(before)
    })

    it('imports in batches, reporting and skipping the rows it cannot take', async () => {
      const result = await runImport('--batch-size', '2')
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^\d\/9 rows read \(\d+%\)/m)
      expect(result.stdout).toContain(
        'Done: 9 rows read; 4 imported (1 of them admins), 0 already here (left as they are), 5 skipped (1 email differs only by case from another, 1 invalid name, 1 invalid email, 1 password hash is not bcrypt, 1 email already used here by another account)',
      )
      for (const line of [
        /"Ada@Example\.com": email differs only by case/,
        /"dave@example\.com": name must not contain control characters/,
        /"dots\.\.twice@example\.com": email must be a valid email address/,
        /"plain@example\.com": password hash is not a bcrypt hash/,
        new RegExp(`${taken.id} "taken@example.com": email already belongs to user`),
      ]) {
        expect(result.stdout).toMatch(line)
      }
      const client = oldClient()
      await client.connect()
      const source = await client.query(
        `select ${USER_COLUMNS.replace('id::text', 'user_id::text as id').replace(/email_verified_at is not null/, 'true')}
         from users where user_id = any($1::uuid[]) order by user_id`,
        [[ada.id, bob.id, carol.id, grace.id]],
      )
      await client.end()
      const imported = await ours(
        `select ${USER_COLUMNS} from users where id = any($1::uuid[]) order by id`,
        [[ada.id, bob.id, carol.id, grace.id]],
      )
      const expected = source.rows.map((row) => ({ ...row, email: row.email.toLowerCase() }))
      expect(imported).toEqual(expected)
      expect(imported.find((row) => row.id === bob.id)?.name).toBe('Robert Builder')
    })

    it('a second run changes nothing', async () => {
      const before = await snapshot()
      const result = await runImport()
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(
        '9 rows read; 0 imported, 4 already here (left as they are), 5 skipped',
      )
      expect(await snapshot()).toEqual(before)
    })

    it('the moved users log in to our API with their old passwords', async () => {
      for (const person of [ada, bob, carol]) {
        const answer = await login(person.email, person.password)
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
        expect(answer.body.data.user).toMatchObject({
          userId: person.id,
          email: person.email,
          emailVerified: true,
          createdAt: person.createdAt,
          role: person === carol ? 'admin' : 'user',
        })
      }
      const mixed = await login('GRACE@example.com', grace.password)
      expect(mixed.status).toBe(200)
      expect(mixed.body.data.user).toMatchObject({ userId: grace.id, email: 'grace@example.com' })
      expect((await login(ada.email, `${ada.password}x`)).status).toBe(401)
      expect((await login(dave.email, dave.password)).status).toBe(401)
    })

    it('npm run admin works on the running app: a promotion ends the sessions, a new admin logs in', async () => {
      const admin = (args: string[], input?: string) =>
        runScript('admin.ts', args, {
          env: scriptEnv(database, { BCRYPT_COST: '4' }),
          ...(input === undefined ? {} : { input }),
        })
      const token = (await login(bob.email, bob.password)).body.data.token
      expect((await json(`${app}/v1/users/me`, undefined, token)).status).toBe(200)
      const promoted = await admin(['promote', bob.email])
      expect(promoted.code, promoted.stderr).toBe(0)
      expect((await json(`${app}/v1/users/me`, undefined, token)).status).toBe(401)
      const again = await login(bob.email, bob.password)
      expect(again.body.data.user.role).toBe('admin')
      const list = await json(`${app}/v1/users?limit=100`, undefined, again.body.data.token)
      expect(list.status).toBe(200)
      expect(list.body.data.items.map((user: { email: string }) => user.email)).toContain(ada.email)

      const created = await admin(
        ['create', 'root@example.com', '--name', 'Root'],
        'Root-Admin-2024\n',
      )
      expect(created.code, created.stderr).toBe(0)
      const root = await login('root@example.com', 'Root-Admin-2024')
      expect(root.status).toBe(200)
      expect(root.body.data.user).toMatchObject({ role: 'admin', emailVerified: true })
    })
  })
}
