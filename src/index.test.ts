import { createScheduledController, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { registerUser, sql } from '../test/support/api'
import worker from './index'

describe('the daily Cron Trigger', () => {
  it('deletes expired refresh tokens through the scheduled handler', async () => {
    const user = await registerUser()
    await sql(
      `update refresh_tokens set expires_at = now() - interval '1 minute' where user_id = $1`,
      [user.userId],
    )
    const controller = createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() })
    await worker.scheduled(controller, env)
    expect(
      await sql('select 1 from refresh_tokens where user_id = $1', [user.userId]),
    ).toHaveLength(0)
  })
})
