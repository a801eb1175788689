import * as z from 'zod'
import { PresentedEmail, PresentedPassword } from '../users/schemas'

/** OAuth2 password grant (RFC 6749 §4.3), as Swagger UI's Authorize dialog sends it. */
export const TokenForm = z
  .object({
    grant_type: z.literal('password', 'must be "password"').optional(),
    username: PresentedEmail,
    password: PresentedPassword,
    scope: z.string().optional(),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
  })
  .meta({ id: 'TokenForm' })

export const RefreshTokenValue = z
  .string()
  .min(1, 'is required')
  .max(512, 'is not a valid refresh token')
  .meta({ description: 'The refresh token from login or the last refresh' })

/** The browser app sends no field and uses its cookie instead (see cookie.ts). */
export const RefreshBody = z
  .strictObject({ refreshToken: RefreshTokenValue.optional() })
  .meta({ id: 'RefreshBody' })

export const LogoutBody = z
  .strictObject({
    refreshToken: RefreshTokenValue.optional().meta({
      description: "A refresh token of the caller's: its session ends too",
    }),
    scope: z
      .enum(['current', 'others', 'all'], 'must be "current", "others" or "all"')
      .default('current')
      .meta({
        description:
          'The session of the access token (`current`), every other session (`others`), or all of them (`all`)',
      }),
  })
  .meta({ id: 'LogoutBody' })
