/**
 * vitest globalSetup for the Worker tests: one database for the run behind neon-local, with
 * ./migrations applied through the production driver.
 *
 * TEST_DATABASE_URL (else DATABASE_URL) = postgresql://user@host/db: a scratch database
 * `test_<time>_<random>` is created on that server and dropped afterwards; the database the URL
 * names is never touched. Neither set: in-memory PGlite.
 *
 * It also does what wrangler.toml's `[build] command` does, which the Workers pool does not run:
 * copies Swagger UI into public/docs/vendor/ (the pool serves public/ as wrangler.toml says) and
 * extracts the bcrypt WebAssembly the Worker imports.
 *
 * And it hands the bcrypt cross-verification tests what only Node can run: hashes made by the
 * native bcrypt, and an endpoint where it verifies the Worker's (see ./native-bcrypt.ts).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { vendorBcryptWasm } from '../../scripts/vendor-bcrypt-wasm'
import { vendorSwaggerUi } from '../../scripts/vendor-swagger-ui'
import { describeDatabaseUrl, redactPassword, startNeonLocal } from '../../tools/neon-local/index'
import { migrate } from '../../tools/neon-local/migrate'
import {
  createScratchDatabase,
  type ScratchDatabase,
  testServerUrl,
} from '../../tools/neon-local/scratch-db'
import { nativeBcryptCases, startNativeVerifier } from './native-bcrypt'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const migrationsFolder = path.join(repoRoot, 'migrations')

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  vendorSwaggerUi()
  vendorBcryptWasm()
  project.provide('nativeBcryptCases', nativeBcryptCases())
  const serverUrl = testServerUrl()
  let scratch: ScratchDatabase | undefined
  try {
    if (serverUrl) scratch = await createScratchDatabase(serverUrl)
    const local = await startNeonLocal(scratch ? { databaseUrl: scratch.url } : {})
    try {
      await migrate({
        databaseUrl: local.connectionString,
        fetchEndpoint: local.endpoint,
        migrationsFolder,
      })
    } catch (error) {
      await local.close()
      throw error
    }
    console.log(
      scratch && serverUrl
        ? `[global-setup] database: PostgreSQL ${describeDatabaseUrl(serverUrl).replace(/\/[^/]*$/, '')}/${scratch.name} (scratch, dropped after the run)`
        : '[global-setup] database: PGlite (in-memory)',
    )
    project.provide('databaseBackend', scratch ? 'postgresql' : 'pglite')
    project.provide('neonEndpoint', local.endpoint)
    project.provide('databaseUrl', local.connectionString)
    const nativeVerifier = await startNativeVerifier()
    project.provide('nativeBcryptVerifier', nativeVerifier.url)
    return async () => {
      try {
        await nativeVerifier.close()
        await local.close()
      } finally {
        await scratch?.drop()
      }
    }
  } catch (error) {
    await scratch?.drop().catch(() => undefined)
    if (error instanceof Error) error.message = redactPassword(error.message, serverUrl)
    throw error
  }
}
