import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { notFound } from '../lib/errors'
import { parsePathId } from '../lib/ids'
import { requireAuth } from '../middleware/auth'
import { describeEndSession, describeListSessions } from './openapi'
import { endSession, listLiveSessions } from './queries'
import type { SessionSummary } from './schemas'

const SESSION_NOT_FOUND = 'Session not found'

/** The caller's sessions: see them, end one. Mounted at `/v1/auth/sessions`. */
export const sessionsRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .get('/', describeListSessions, async (c) => {
    const { user, sessionId } = c.var.auth
    const rows = await listLiveSessions(c.var.db, user.id)
    const items: SessionSummary[] = rows.map((row) => ({
      sessionId: row.id,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      userAgent: row.userAgent,
      clientAddress: row.clientAddress,
      current: row.id === sessionId,
    }))
    return c.json({ success: true, data: { items } })
  })
  .delete('/:sessionId', describeEndSession, async (c) => {
    const sessionId = parsePathId(c.req.param('sessionId'), SESSION_NOT_FOUND)
    // Somebody else's session is as unknown as one that does not exist.
    if (!(await endSession(c.var.db, c.var.auth.user.id, sessionId))) {
      throw notFound(SESSION_NOT_FOUND)
    }
    c.var.log.info('session ended', { userId: c.var.auth.user.id, sessionId })
    return c.body(null, 204)
  })
