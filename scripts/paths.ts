/** Repository paths shared by the scripts, resolved from this file so any cwd works. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const migrationsFolder = path.join(repoRoot, 'migrations')
/** Where `npm run dev` and `npm run db:migrate` keep the embedded PGlite database. */
export const pgliteDataDir = path.join(repoRoot, '.data', 'pglite')
