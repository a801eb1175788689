/** Repository paths shared by the scripts, resolved from this file so any cwd works. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const migrationsFolder = path.join(repoRoot, 'migrations')
/**
 * Where `npm run dev`, `db:migrate` and `db:sql` keep the embedded PGlite database; PGLITE_DATA_DIR
 * moves it (the browser journeys use a scratch one, and a second checkout can share one).
 */
const configuredDataDir = process.env.PGLITE_DATA_DIR?.trim()
export const pgliteDataDir = configuredDataDir
  ? path.resolve(configuredDataDir)
  : path.join(repoRoot, '.data', 'pglite')
