/**
 * Migration 0001 on a database that has data: every refresh-token family of the old schema
 * must come out as a session whose tokens keep working, or stay dead if it was revoked.
 */
import fs from 'node:fs'
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NeonLocal, startNeonLocal } from '../../tools/neon-local/index'
import { migrate } from '../../tools/neon-local/migrate'
import { migrationsFolder, migrationsUpTo } from './support'

describe('migration 0001_sessions on a database with refresh tokens', () => {
  let local: NeonLocal
  let oldSchema: string
  let sql: ReturnType<typeof neon>
  beforeAll(async () => {
    local = await startNeonLocal()
    oldSchema = migrationsUpTo('0000_init')
    neonConfig.fetchEndpoint = local.endpoint
    sql = neon(local.connectionString)
  })
  afterAll(async () => {
    await local?.close()
    if (oldSchema) fs.rmSync(oldSchema, { recursive: true, force: true })
  })

  it('makes each family a session with its id: live ones live, revoked ones ended', async () => {
    const migrateTo = (folder: string) =>
      migrate({
        databaseUrl: local.connectionString,
        fetchEndpoint: local.endpoint,
        migrationsFolder: folder,
      })
    expect((await migrateTo(oldSchema)).migrations).toEqual(['0000_init'])
    const [ada] = (await sql`insert into users (name, email, password_hash)
      values ('Ada', 'ada@example.com', '$2b$04$x') returning id`) as Array<{ id: string }>
    const live = crypto.randomUUID()
    const revoked = crypto.randomUUID()
    const rotated = crypto.randomUUID()
    await sql`insert into refresh_tokens (user_id, family_id, token_hash, expires_at, spent_at, revoked_at, created_at) values
      (${ada?.id}, ${live}, 'live-1', now() + interval '20 days', null, null, now() - interval '10 days'),
      (${ada?.id}, ${revoked}, 'revoked-1', now() + interval '20 days', now() - interval '1 day', now() - interval '1 hour', now() - interval '3 days'),
      (${ada?.id}, ${revoked}, 'revoked-2', now() + interval '20 days', null, null, now() - interval '1 day'),
      (${ada?.id}, ${rotated}, 'rotated-1', now() + interval '5 days', now() - interval '1 day', null, now() - interval '5 days'),
      (${ada?.id}, ${rotated}, 'rotated-2', now() + interval '29 days', null, null, now() - interval '1 day')`

    const applied = await migrateTo(migrationsFolder)
    expect(applied.migrations[0]).toBe('0001_sessions')

    const sessions = (await sql`
      select id, user_id, ended_at is not null as ended,
        round(extract(epoch from expires_at - created_at) / 86400) as max_age_days,
        idle_expires_at > now() + interval '28 days' as idle_from_newest_token
      from sessions order by created_at`) as Array<Record<string, unknown>>
    expect(sessions).toEqual([
      {
        id: live,
        user_id: ada?.id,
        ended: false,
        max_age_days: '90',
        idle_from_newest_token: false,
      },
      {
        id: rotated,
        user_id: ada?.id,
        ended: false,
        max_age_days: '90',
        idle_from_newest_token: true,
      },
      {
        id: revoked,
        user_id: ada?.id,
        ended: true,
        max_age_days: '90',
        idle_from_newest_token: false,
      },
    ])
    const tokens =
      (await sql`select token_hash, session_id from refresh_tokens order by token_hash`) as Array<{
        token_hash: string
        session_id: string
      }>
    expect(tokens.map((t) => [t.token_hash, t.session_id])).toEqual([
      ['live-1', live],
      ['revoked-1', revoked],
      ['revoked-2', revoked],
      ['rotated-1', rotated],
      ['rotated-2', rotated],
    ])
  })
})
