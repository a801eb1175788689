/** A throwaway database on a real PostgreSQL server, for test runs that must not share state. */
import crypto from 'node:crypto'
import pg from 'pg'

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
