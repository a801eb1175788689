import * as z from 'zod'

/** The value `.dev.vars.example` shows: a secret everyone who read the repository knows. */
export const JWT_SECRET_PLACEHOLDER = 'replace-with-at-least-32-random-bytes-of-hex'

/** `JWT_SECRET`'s rules; `npm run dev` checks them too, before it starts anything. */
export const JwtSecret = z
  .string('is missing')
  .refine(
    (secret) => new TextEncoder().encode(secret).byteLength >= 32,
    'must be at least 32 bytes',
  )
  .refine(
    (secret) => secret !== JWT_SECRET_PLACEHOLDER,
    'is the placeholder from .dev.vars.example; make one with `openssl rand -hex 32`',
  )
