/**
 * The old service's `users` table, read through a server-side cursor in one read-only snapshot:
 * a batch at a time, so memory stays flat however large the table, and ordered by the email as
 * it will be stored, so rows that differ only by case arrive side by side.
 */
import pg from 'pg'
import { describeDatabaseUrl, redactPassword } from '../../tools/neon-local/index'
import { ToolError } from '../app-database'
import type { SourceRow } from './rows'

const OLD_COLUMNS = [
  'user_id',
  'name',
  'email',
  'password_hash',
  'role',
  'created_at',
  'updated_at',
]

// Timestamps as ISO 8601 text: a JavaScript Date would drop the microseconds.
const SELECT_ROWS = `
  select user_id::text as id, name, email, password_hash, role,
    to_json(created_at) #>> '{}' as created_at, to_json(updated_at) #>> '{}' as updated_at
  from users
  order by lower(btrim(email)) collate "C", user_id`

export type Source = {
  /** Where the rows come from, without a password. */
  description: string
  /** Rows in the snapshot, for progress. */
  total: number
  rows(): AsyncGenerator<SourceRow>
  close(): Promise<void>
}

function explainRead(error: unknown, url: string, description: string): ToolError {
  const message = redactPassword(error instanceof Error ? error.message : String(error), url)
  return new ToolError(`Reading the old database ${description} failed: ${message}`)
}

export async function openSource(url: string, batchSize: number): Promise<Source> {
  const description = describeDatabaseUrl(url)
  // A password left out of the URL comes from PGPASSWORD, as for psql.
  const client = new pg.Client({ connectionString: url, application_name: 'db-import' })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('begin isolation level repeatable read read only')
    const found = await client.query<{ column_name: string }>(
      `select column_name from information_schema.columns
       where table_name = 'users' and table_schema = current_schema()`,
    )
    const present = new Set(found.rows.map((row) => row.column_name))
    const missing = OLD_COLUMNS.filter((column) => !present.has(column))
    if (missing.length > 0) {
      throw new ToolError(
        `${description} has no users table as the old service made it (missing: ${missing.join(', ')}). Is --from the old service's database?`,
      )
    }
    const counted = await client.query<{ total: string }>('select count(*) as total from users')
    await client.query(`declare old_users no scroll cursor for ${SELECT_ROWS}`)
    return {
      description,
      total: Number(counted.rows[0]?.total ?? 0),
      async *rows() {
        try {
          for (;;) {
            const batch = await client.query<SourceRow>(`fetch forward ${batchSize} from old_users`)
            yield* batch.rows
            if (batch.rows.length < batchSize) return
          }
        } catch (error) {
          throw explainRead(error, url, description)
        }
      },
      close: () => client.end(),
    }
  } catch (error) {
    await client.end().catch(() => undefined)
    throw error instanceof ToolError ? error : explainRead(error, url, description)
  }
}
