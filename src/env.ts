import * as z from 'zod'
import type { Database } from './db/client'
import type { UserRow } from './db/schema'
import { JwtSecret } from './lib/jwt-secret'
import { DEFAULT_LOG_LEVEL, LOG_LEVELS, type Logger, type LogLevel } from './lib/logger'
import type { PasswordAlgorithm } from './lib/password'

/**
 * The `EMAIL` send_email binding is optional (see docs/email.md): without it, mail
 * waits in the outbox and a warning is logged.
 */
// LOG_LEVEL is read on its own (logLevelOf); named here too for programs that see the bindings
// only through stand-ins (the Node scripts' type check).
export type Bindings = CloudflareBindings & { EMAIL?: SendEmail; LOG_LEVEL?: string }

export type AuthContext = {
  user: UserRow
  /** The session (login) the access token belongs to: its `sid`. */
  sessionId: string
  tokenId: string
}

export type Variables = {
  /** Made by the server for every request; see middleware/request-ids. */
  requestId: string
  /** The client's own X-Request-Id, when well-formed: kept beside `requestId`. */
  clientRequestId: string | undefined
  config: Config
  db: Database
  log: Logger
  auth: AuthContext
  /** Set by hono's jwt(); read and checked only by requireAuth(). */
  jwtPayload: unknown
}

export type AppEnv = { Bindings: Bindings; Variables: Variables }

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const

const duration = (fallback: string) =>
  z
    .string()
    .trim()
    .transform((value) => value || fallback)
    .pipe(
      z
        .string()
        .regex(/^\d{1,7}[smhd]$/, 'must look like 900s, 15m, 24h or 30d')
        .transform((value) => {
          const unit = value.slice(-1) as keyof typeof DURATION_UNITS
          return Number(value.slice(0, -1)) * DURATION_UNITS[unit]
        })
        .refine((seconds) => seconds > 0, 'must be longer than zero'),
    )

const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined)

/** How new and changed passwords are stored; see lib/password.ts. */
const PASSWORD_ALGORITHMS = ['bcrypt', 'scrypt'] as const satisfies readonly PasswordAlgorithm[]

const LogLevelSetting = optionalText.pipe(
  z.enum(LOG_LEVELS, `must be ${LOG_LEVELS.join(', ')}`).default(DEFAULT_LOG_LEVEL),
)

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

const ConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// connection string'),
  JWT_SECRET: JwtSecret,
  ACCESS_TOKEN_TTL: duration('24h'),
  REFRESH_TOKEN_TTL: duration('30d'),
  SESSION_MAX_AGE: duration('90d'),
  BCRYPT_COST: optionalText
    .transform((value) => (value === undefined ? 12 : Number(value)))
    .pipe(z.number().int().min(4).max(15)),
  PASSWORD_HASH: optionalText.pipe(
    z.enum(PASSWORD_ALGORITHMS, 'must be bcrypt or scrypt').default('bcrypt'),
  ),
  CORS_ORIGINS: optionalText.transform((value) =>
    (value ?? '')
      .split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  ),
  // Local runs only: the driver sends the connection string, password included, wherever this
  // points, so anything but this machine is refused rather than trusted.
  REQUIRE_EMAIL_VERIFICATION: optionalText.pipe(
    z.enum(['true', 'false'], 'must be true or false').optional(),
  ),
  // Base of the links in emails; the request's own origin when unset.
  APP_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  EMAIL_FROM: optionalText.pipe(z.email('must be an email address').optional()),
  NEON_FETCH_ENDPOINT: optionalText.pipe(
    z.url({ protocol: /^https?$/, hostname: LOOPBACK_HOST }).optional(),
  ),
  LOG_LEVEL: LogLevelSetting,
})

export type Config = {
  databaseUrl: string
  jwtSecret: string
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  sessionMaxAgeSeconds: number
  /**
   * The cost of new bcrypt hashes, and under scrypt the bcrypt work every failed login is made
   * to cost, so that accounts still on a bcrypt hash cannot be told apart (lib/password.ts).
   */
  bcryptCost: number
  passwordAlgorithm: PasswordAlgorithm
  corsOrigins: readonly string[]
  neonFetchEndpoint: string | undefined
  requireEmailVerification: boolean
  appUrl: string | undefined
  /** The sender of every email; required with the EMAIL binding. */
  emailFrom: string | undefined
  logLevel: LogLevel
}

/** Raised when the Worker's settings are unusable; names the settings, never their values. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(readonly invalidSettings: string[]) {
    super(`Invalid configuration: ${invalidSettings.join(', ')}`)
  }
}

// The bindings object is the same for every request an isolate serves, so the settings are
// parsed once per isolate and remembered here.
const parsed = new WeakMap<Bindings, Config>()

export function loadConfig(env: Bindings): Config {
  const cached = parsed.get(env)
  if (cached) return cached
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))]
    throw new ConfigError(names)
  }
  const settings = result.data
  // Mail from an address nobody chose would be refused by the provider, retry after retry.
  if (env.EMAIL && !settings.EMAIL_FROM) throw new ConfigError(['EMAIL_FROM'])
  const config: Config = {
    databaseUrl: settings.DATABASE_URL,
    jwtSecret: settings.JWT_SECRET,
    accessTokenTtlSeconds: settings.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: settings.REFRESH_TOKEN_TTL,
    sessionMaxAgeSeconds: settings.SESSION_MAX_AGE,
    bcryptCost: settings.BCRYPT_COST,
    passwordAlgorithm: settings.PASSWORD_HASH,
    corsOrigins: settings.CORS_ORIGINS,
    neonFetchEndpoint: settings.NEON_FETCH_ENDPOINT,
    requireEmailVerification: settings.REQUIRE_EMAIL_VERIFICATION === 'true',
    appUrl: settings.APP_URL?.replace(/\/+$/, ''),
    emailFrom: settings.EMAIL_FROM,
    logLevel: settings.LOG_LEVEL,
  }
  parsed.set(env, config)
  return config
}

const logLevels = new WeakMap<Bindings, LogLevel>()

/**
 * LOG_LEVEL on its own, once per isolate, for the logger every request gets before the other
 * settings are read: a broken setting elsewhere must not change what is logged about it. An
 * unusable value logs at the default here, and loadConfig refuses it by name.
 */
export function logLevelOf(env: Bindings): LogLevel {
  let level = logLevels.get(env)
  if (!level) {
    const result = LogLevelSetting.safeParse(env.LOG_LEVEL)
    level = result.success ? result.data : DEFAULT_LOG_LEVEL
    logLevels.set(env, level)
  }
  return level
}
