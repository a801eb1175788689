import { createFactory } from 'hono/factory'
import { linkBase, newEmailToken, sendAfterAnswer } from '../email/delivery'
import { verificationEmail } from '../email/templates'
import type { AppEnv } from '../env'
import { hashPassword } from '../lib/password'
import { validate } from '../lib/validation'
import { requireAuth } from '../middleware/auth'
import { rateLimit } from '../middleware/rate-limit'
import { insertUser } from './queries'
import { RegisterBody, toUser } from './schemas'

// Built with the factory so that /v1/users and the original service's /api/users paths share
// them while keeping the validated body types.
const factory = createFactory<AppEnv>()

export const REGISTER_PERIOD_SECONDS = 60

export const registerHandlers = factory.createHandlers(
  rateLimit('REGISTER_LIMITER', REGISTER_PERIOD_SECONDS),
  validate('json', RegisterBody),
  async (c) => {
    const { name, email, password } = c.req.valid('json')
    const [passwordHash, { token, tokenHash }] = await Promise.all([
      hashPassword(password, c.var.config),
      newEmailToken(),
    ])
    const { user, outboxId } = await insertUser(
      c.var.db,
      { name, email, passwordHash },
      { tokenHash, email: verificationEmail(email, linkBase(c), token) },
    )
    sendAfterAnswer(c, [outboxId])
    c.var.log.info('user registered', { userId: user.id })
    c.header('Location', `/v1/users/${user.id}`)
    return c.json({ success: true, message: 'Account created', data: toUser(user) }, 201)
  },
)

export const meHandlers = factory.createHandlers(requireAuth(), (c) =>
  c.json({ success: true, data: toUser(c.var.auth.user) }),
)
