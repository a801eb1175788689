import { createApp } from './app'
import { deleteStaleRows } from './cleanup'
import { getDatabase } from './db/client'
import { deliverOutbox } from './email/outbox'
import { type Bindings, loadConfig, logLevelOf } from './env'
import { createLogger } from './lib/logger'

const app = createApp()

/**
 * The daily cleanup's schedule in wrangler.toml; every other run only retries email. Not
 * exported: workerd takes every named export of the entry module for an entrypoint.
 */
const DAILY_CLEANUP_CRON = '17 3 * * *'

export default {
  fetch: app.fetch,
  /**
   * The Cron Triggers in wrangler.toml: email that is due (never tried, or failed and backed
   * off) goes out on every run; once a day, ended sessions and old counters are deleted.
   */
  async scheduled(controller, env) {
    const log = createLogger(`cron:${controller.scheduledTime}`, logLevelOf(env))
    const config = loadConfig(env)
    const db = getDatabase(config)
    // EMAIL_FROM is required with the binding (loadConfig refuses one without it); without a
    // binding nothing is sent, so no sender is needed.
    const from = config.emailFrom ?? ''
    const delivery = await deliverOutbox(db, { binding: env.EMAIL, from, log })
    log.info('email delivery', delivery)
    if (controller.cron === DAILY_CLEANUP_CRON) {
      log.info('stale rows deleted', await deleteStaleRows(db))
    }
  },
} satisfies ExportedHandler<Bindings>
