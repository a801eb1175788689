import { createApp } from './app'
import { deleteStaleRows } from './cleanup'
import { getDatabase } from './db/client'
import { deliverOutbox } from './email/outbox'
import { type Bindings, loadConfig } from './env'
import { createLogger } from './lib/logger'

const app = createApp()

/** The daily cleanup's schedule in wrangler.toml; every other run only retries email. */
// Not exported: workerd takes every named export of the entry module for an entrypoint.
const DAILY_CLEANUP_CRON = '17 3 * * *'

export default {
  fetch: app.fetch,
  /**
   * The Cron Triggers in wrangler.toml: email that is due (never tried, or failed and backed
   * off) goes out on every run; once a day, ended sessions and old counters are deleted.
   */
  async scheduled(controller, env) {
    const log = createLogger(`cron:${controller.scheduledTime}`)
    const config = loadConfig(env)
    const db = getDatabase(config)
    // Without APP_URL or EMAIL_FROM there is no request to take a host from.
    const from =
      config.emailFrom ??
      `no-reply@${config.appUrl ? new URL(config.appUrl).hostname : 'localhost'}`
    const delivery = await deliverOutbox(db, { binding: env.EMAIL, from, log })
    log.info('email delivery', delivery)
    if (controller.cron === DAILY_CLEANUP_CRON) {
      log.info('stale rows deleted', await deleteStaleRows(db))
    }
  },
} satisfies ExportedHandler<Bindings>
