/** Migration 0003: accounts that exist before email verification count as verified. */
import fs from 'node:fs'
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, describe, expect, it } from 'vitest'
import { type NeonLocal, startNeonLocal } from '../../tools/neon-local/index'
import { migrate } from '../../tools/neon-local/migrate'
import { migrationsFolder, migrationsUpTo } from './support'

describe('migration 0003_email', () => {
  let local: NeonLocal | undefined
  let oldSchema: string | undefined
  afterAll(async () => {
    await local?.close()
    if (oldSchema) fs.rmSync(oldSchema, { recursive: true, force: true })
  })

  it('marks existing accounts verified, and leaves new ones to verify', async () => {
    local = await startNeonLocal()
    oldSchema = migrationsUpTo('0002_hardening')
    neonConfig.fetchEndpoint = local.endpoint
    const sql = neon(local.connectionString)
    const migrateTo = (folder: string) =>
      migrate({
        databaseUrl: local?.connectionString ?? '',
        fetchEndpoint: local?.endpoint,
        migrationsFolder: folder,
      })
    await migrateTo(oldSchema)
    await sql`insert into users (name, email, password_hash) values ('Old', 'old@example.com', '$2b$04$x')`
    expect((await migrateTo(migrationsFolder)).migrations).toContain('0003_email')
    await sql`insert into users (name, email, password_hash) values ('New', 'new@example.com', '$2b$04$x')`
    const rows =
      await sql`select email, email_verified_at is not null as verified from users order by email`
    expect(rows).toEqual([
      { email: 'new@example.com', verified: false },
      { email: 'old@example.com', verified: true },
    ])
  })
})
