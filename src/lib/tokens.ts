import { sign } from 'hono/jwt'
import * as z from 'zod'
import type { UserRow } from '../db/schema'
import type { Config } from '../env'

export const JWT_ALGORITHM = 'HS256'
export const JWT_ISSUER = 'user-api'
export const JWT_AUDIENCE = 'user-api'

/** The claims every access token must carry; anything else is refused. */
export const AccessTokenClaims = z.object({
  sub: z.uuid(),
  userId: z.uuid(),
  // The session (login) the token belongs to; tokens from before sessions existed lack it.
  sid: z.uuid(),
  email: z.string(),
  role: z.enum(['user', 'admin']),
  ver: z.number().int().nonnegative(),
  iat: z.number().int(),
  exp: z.number().int(),
  iss: z.literal(JWT_ISSUER),
  aud: z.literal(JWT_AUDIENCE),
  jti: z.string().min(1),
})
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>

export type IssuedAccessToken = { token: string; expiresIn: number }

// hono imports a key given as text again for every token it signs or verifies; imported once
// per configuration, the same key serves every token the isolate handles.
const signingKeys = new WeakMap<Config, Promise<CryptoKey>>()

/** JWT_SECRET as an HMAC-SHA-256 key (JWT_ALGORITHM), for signing and verifying. */
export function signingKey(config: Config): Promise<CryptoKey> {
  let key = signingKeys.get(config)
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.jwtSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    // A failed import is not remembered: the next request tries again.
    key.catch(() => signingKeys.delete(config))
    signingKeys.set(config, key)
  }
  return key
}

export async function issueAccessToken(
  user: UserRow,
  sessionId: string,
  config: Config,
): Promise<IssuedAccessToken> {
  const issuedAt = Math.floor(Date.now() / 1000)
  const claims: AccessTokenClaims = {
    sub: user.id,
    userId: user.id,
    sid: sessionId,
    email: user.email,
    role: user.role,
    ver: user.tokenVersion,
    iat: issuedAt,
    exp: issuedAt + config.accessTokenTtlSeconds,
    iss: JWT_ISSUER,
    aud: JWT_AUDIENCE,
    jti: crypto.randomUUID(),
  }
  const token = await sign(claims, await signingKey(config), JWT_ALGORITHM)
  return { token, expiresIn: config.accessTokenTtlSeconds }
}

const REFRESH_TOKEN_BYTES = 32

/** An opaque 256-bit token; only its SHA-256 is ever stored. */
export function createRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(REFRESH_TOKEN_BYTES))
  return toBase64Url(bytes)
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
