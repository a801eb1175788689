import * as z from 'zod'

export const SessionSummary = z
  .object({
    sessionId: z.uuid(),
    createdAt: z.iso.datetime().meta({ description: 'When the login happened' }),
    lastUsedAt: z.iso.datetime().meta({ description: 'The login or the last refresh' }),
    expiresAt: z.iso.datetime().meta({
      description:
        'When the session ends unless it is refreshed again; never after its absolute end (SESSION_MAX_AGE after the login)',
    }),
    userAgent: z.string().nullable().meta({ description: 'Of the login, cut to 256 characters' }),
    clientAddress: z.string().nullable().meta({ description: 'Of the login or the last refresh' }),
    current: z.boolean().meta({ description: "The session of the request's access token" }),
  })
  .meta({ id: 'Session' })
export type SessionSummary = z.infer<typeof SessionSummary>
