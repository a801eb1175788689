/** `npm run db:import` refusing what it cannot do: clear words, nothing written, no password. */
import { afterAll, describe, expect, it } from 'vitest'
import { startNeonLocal } from '../../tools/neon-local/index'
import { migrate } from '../../tools/neon-local/migrate'
import {
  createScratchDatabase,
  type ScratchDatabase,
  testServerUrl,
} from '../../tools/neon-local/scratch-db'
import { runScript, scriptEnv } from '../cli-runner'
import { migrationsFolder } from '../paths'
import { postgresMissing } from './reference-service'

const serverUrl = testServerUrl() ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const missing = await postgresMissing(serverUrl)
const nowhere = scriptEnv({ pgliteDataDir: '/nonexistent/pglite' })

describe('npm run db:import, command line', () => {
  it('refuses a --from that is not a postgresql:// URL, and a batch size out of range, with the usage', async () => {
    const wrong = await runScript('db-import.ts', ['--from', 'mysql://old/users'], { env: nowhere })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/--from must be a postgresql:\/\/ URL[\s\S]*Usage:/)
    const badBatch = await runScript('db-import.ts', ['--dry-run', '--batch-size', '0'], {
      env: nowhere,
    })
    expect(badBatch.code).toBe(2)
    expect(badBatch.stderr).toMatch(/--batch-size must be a whole number from 1 to 5000, not 0/)
  })
})

const SECRET = 'secret-in-the-url'
const TITLE = 'npm run db:import, a --from it cannot read'
if (missing) {
  if (process.env.CI) {
    it(`${TITLE}: PostgreSQL is required in CI`, () => {
      throw new Error(missing)
    })
  } else {
    it.skip(`${TITLE}: not run, ${missing}`, () => {})
  }
} else {
  describe(TITLE, () => {
    let ours: ScratchDatabase | undefined
    afterAll(() => ours?.drop())

    it("says which database is not the old service's, or cannot be read, and never its password", async () => {
      ours = await createScratchDatabase(serverUrl, 'db_import_cli_test')
      const local = await startNeonLocal({ databaseUrl: ours.url })
      try {
        await migrate({
          databaseUrl: local.connectionString,
          fetchEndpoint: local.endpoint,
          migrationsFolder,
        })
      } finally {
        await local.close()
      }
      const withSecret = (database: string) => {
        const url = new URL(ours?.url ?? '')
        url.password = SECRET
        url.pathname = `/${database}`
        return url.toString()
      }
      const env = scriptEnv({ databaseUrl: ours.url })
      // Our own database has a users table, but not the old service's.
      const notOld = await runScript('db-import.ts', ['--from', withSecret(ours.name)], { env })
      expect(notOld.code).toBe(1)
      expect(notOld.stderr).toMatch(
        /has no users table as the old service made it \(missing: user_id\)/,
      )
      const absent = await runScript(
        'db-import.ts',
        ['--from', withSecret(`${ours.name}_absent`)],
        {
          env,
        },
      )
      expect(absent.code).toBe(1)
      expect(absent.stderr).toMatch(
        /Reading the old database .*_absent failed: database .* does not exist/,
      )
      for (const result of [notOld, absent]) {
        expect(result.stdout + result.stderr).not.toContain(SECRET)
      }
    })
  })
}
