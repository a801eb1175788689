import { notFound } from './errors'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** An id from a path, lower-cased; a malformed one names nothing: 404, like an unknown one. */
export function parsePathId(raw: string, notFoundMessage: string): string {
  if (!UUID.test(raw)) throw notFound(notFoundMessage)
  return raw.toLowerCase()
}
