/** A throwaway database on a real PostgreSQL server, for test runs that must not share state. */
import crypto from 'node:crypto'
import pg from 'pg'

/**
 * The PostgreSQL server a test run uses: TEST_DATABASE_URL, else DATABASE_URL (the setting
 * `npm run dev` uses, so one setting serves both commands), else none (PGlite). Either way a
 * run works in a scratch database of its own on that server, never in the one the URL names.
 */
export function testServerUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TEST_DATABASE_URL?.trim() || env.DATABASE_URL?.trim() || undefined
}

export interface ScratchDatabase {
  readonly name: string
  /** The server URL with its database replaced by the scratch one. */
  readonly url: string
  drop(): Promise<void>
}

async function withServer(serverUrl: string, work: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: serverUrl })
  // A dropped connection while idle would otherwise be an unhandled 'error' event.
  client.on('error', () => undefined)
  await client.connect()
  try {
    await work(client)
  } finally {
    await client.end()
  }
}

export async function createScratchDatabase(
  serverUrl: string,
  prefix = 'test',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${crypto.randomBytes(4).toString('hex')}`
  const identifier = `"${name.replace(/"/g, '""')}"`
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE ${identifier}`).then())
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  let dropped: Promise<void> | undefined
  return {
    name,
    url: url.toString(),
    drop() {
      dropped ??= withServer(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`).then(),
      )
      return dropped
    },
  }
}
