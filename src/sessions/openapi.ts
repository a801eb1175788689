import { describeRoute } from 'hono-openapi'
import * as z from 'zod'
import {
  authFailures,
  bearer,
  failure,
  noContent,
  ok,
  serviceFailures,
  uuidPathParameter,
} from '../openapi/describe'
import { SessionSummary } from './schemas'

const TAGS = ['sessions']

export const describeListSessions = describeRoute({
  summary: "The caller's live sessions, newest first",
  tags: TAGS,
  security: bearer,
  responses: {
    '200': ok(
      'Live sessions; `current` marks the one of this access token',
      z.object({ items: z.array(SessionSummary) }),
    ),
    ...authFailures,
    ...serviceFailures,
  },
})

export const describeEndSession = describeRoute({
  summary: "End one of the caller's sessions",
  tags: TAGS,
  security: bearer,
  parameters: [uuidPathParameter('sessionId')],
  responses: {
    '204': noContent('Ended; its tokens are refused from now on'),
    ...authFailures,
    '404': failure("Unknown, already ended, or not the caller's (`not_found`)"),
    ...serviceFailures,
  },
})
