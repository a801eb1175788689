/**
 * `npm run db:migrate`: applies ./migrations through the production driver.
 *
 *   DATABASE_URL on *.neon.tech   → straight to Neon
 *   any other postgresql:// URL   → through an in-process neon-local in front of that server
 *   unset                         → the embedded PGlite at .data/pglite that `npm run dev` uses
 *                                   (through its endpoint while `npm run dev` runs)
 */
import { redactPassword } from '../tools/neon-local/index'
import { migrate } from '../tools/neon-local/migrate'
import { openDatabaseTarget } from './database-target'
import { migrationsFolder } from './paths'

async function main(databaseUrl: string | undefined): Promise<void> {
  const target = await openDatabaseTarget(databaseUrl)
  console.log(`Migrating ${target.description}`)
  try {
    const result = await migrate({
      databaseUrl: target.databaseUrl,
      ...(target.fetchEndpoint ? { fetchEndpoint: target.fetchEndpoint } : {}),
      migrationsFolder,
    })
    console.log(
      result.applied === 0
        ? 'No pending migrations.'
        : `Applied ${result.applied} migration(s): ${result.migrations.join(', ')}`,
    )
  } finally {
    await target.close()
  }
}

const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
main(databaseUrl).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`Migration failed: ${redactPassword(message, databaseUrl)}`)
    process.exit(1)
  },
)
