import { createApp } from './app'
import { deleteStaleRows } from './cleanup'
import { getDatabase } from './db/client'
import { type Bindings, loadConfig } from './env'
import { createLogger } from './lib/logger'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The daily Cron Trigger in wrangler.toml: ended sessions and old counters do not pile up. */
  async scheduled(controller, env) {
    const log = createLogger(`cron:${controller.scheduledTime}`)
    const removed = await deleteStaleRows(getDatabase(loadConfig(env)))
    log.info('stale rows deleted', removed)
  },
} satisfies ExportedHandler<Bindings>
