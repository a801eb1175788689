/**
 * `npm run db:sql -- "<one statement>"`: runs one SQL statement through the production driver
 * against the same database `npm run dev` and `npm run db:migrate` use, and prints the rows.
 * Made for operator chores such as a look at the accounts:
 *
 *   npm run db:sql -- "select email, role, created_at from users order by created_at"
 *
 * (To make an admin, `npm run admin -- promote you@example.com`: unlike a bare UPDATE, it also
 * ends the user's sessions, as the API's role change does.)
 *
 * On the embedded PGlite while `npm run dev` runs, the statement goes through the endpoint of
 * `npm run dev` (PGlite serves one process at a time), so there is no need to stop it:
 *
 *   npm run db:sql -- "delete from login_throttle"
 */
import { neon, neonConfig } from '@neondatabase/serverless'
import { redactPassword } from '../tools/neon-local/index'
import { openDatabaseTarget } from './database-target'

async function main(statement: string, databaseUrl: string | undefined): Promise<void> {
  const target = await openDatabaseTarget(databaseUrl)
  try {
    if (target.fetchEndpoint) neonConfig.fetchEndpoint = target.fetchEndpoint
    const result = await neon(target.databaseUrl, { fullResults: true }).query(statement)
    if (result.rows.length > 0) console.table(result.rows)
    console.log(`${result.command} ${result.rowCount ?? 0} (${target.description})`)
  } finally {
    await target.close()
  }
}

const statement = process.argv.slice(2).join(' ').trim()
if (!statement) {
  console.error('Usage: npm run db:sql -- "<one SQL statement>"')
  process.exit(2)
}
const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
main(statement, databaseUrl).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`SQL failed: ${redactPassword(message, databaseUrl)}`)
    process.exit(1)
  },
)
