/**
 * `npm run db:import -- --from <postgresql URL>`: moves the users of the old service's database
 * (its `users` table, as its models.py made it) into ours: ids, names, lower-cased emails,
 * bcrypt hashes as they are, roles and timestamps kept, and counted as verified. Running it again
 * changes nothing; rows it cannot take are reported and skipped.
 *
 *   npm run db:import -- --from postgresql://reader@old-db.internal/users --dry-run
 *   PGPASSWORD=... npm run db:import -- --from postgresql://reader@old-db.internal/users
 *
 * Ours is DATABASE_URL's database, else the embedded one of `npm run dev` (through its endpoint
 * while it runs). Exit status: 0 done (skipped rows included), 1 failed, 2 wrong command line.
 */
import { describeDatabaseUrl, isPostgresUrl } from '../tools/neon-local/index'
import { explainFailure, openAppDatabase } from './app-database'
import { describeSummary, importUsers } from './db-import/run'

const USAGE = `Usage: npm run db:import -- --from <postgresql URL> [--dry-run] [--batch-size <n>]
  --from        the old service's database; leave the password out and set PGPASSWORD,
                so it stays out of shell history
  --dry-run     report what would be imported and skipped; write nothing
  --batch-size  rows per round trip, 1 to 5000 (default 500)
The users go to DATABASE_URL's database, else the embedded one of \`npm run dev\`.`

const DEFAULT_BATCH_SIZE = 500

type Options = { from: string; dryRun: boolean; batchSize: number }

class UsageError extends Error {}

function parseArgs(args: string[]): Options | 'help' {
  let from: string | undefined
  let dryRun = false
  let batchSize = DEFAULT_BATCH_SIZE
  for (let at = 0; at < args.length; at += 1) {
    const arg = args[at] as string
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg]
    const value = () => {
      if (inline !== undefined) return inline
      at += 1
      const next = args[at]
      if (next === undefined) throw new UsageError(`${flag} needs a value`)
      return next
    }
    if (flag === '--help' || flag === '-h') return 'help'
    else if (flag === '--dry-run') dryRun = true
    else if (flag === '--from') from = value()
    else if (flag === '--batch-size') {
      const text = value()
      batchSize = Number(text)
      if (!/^\d+$/.test(text) || batchSize < 1 || batchSize > 5000) {
        throw new UsageError(`--batch-size must be a whole number from 1 to 5000, not ${text}`)
      }
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`)
  }
  if (!from) throw new UsageError('--from <postgresql URL of the old database> is required')
  if (!isPostgresUrl(from)) throw new UsageError('--from must be a postgresql:// URL')
  return { from, dryRun, batchSize }
}

async function run(options: Options): Promise<void> {
  const database = await openAppDatabase()
  try {
    console.log(
      `Importing users from ${describeDatabaseUrl(options.from)} into ${database.description}${options.dryRun ? ' (dry run: nothing is written)' : ''}`,
    )
    const summary = await importUsers(database.db, { ...options, log: console.log })
    console.log(describeSummary(summary, options.dryRun))
  } finally {
    await database.close()
  }
}

let options: Options | 'help'
try {
  options = parseArgs(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  process.exit(2)
}
if (options === 'help') {
  console.log(USAGE)
  process.exit(0)
}
const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
const { from } = options
run(options).then(
  () => process.exit(0),
  (error: unknown) => {
    // Either URL's password may be in a driver's message.
    console.error(explainFailure(error, databaseUrl).split(from).join('(--from URL)'))
    process.exit(1)
  },
)
