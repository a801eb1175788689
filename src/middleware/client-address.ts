import type { Context } from 'hono'

/** The Workers runtime sets CF-Connecting-IP on every request, `wrangler dev` included. */
export const knownClientAddress = (c: Context): string | undefined =>
  c.req.header('cf-connecting-ip')?.trim().slice(0, 64) || undefined

/** The client's address, or `unknown` where a key or a log needs a value. */
export const clientAddress = (c: Context): string => knownClientAddress(c) ?? 'unknown'

/**
 * What per-address limits count against: an IPv4 address, or the /64 of an IPv6 address,
 * since one IPv6 client is usually given a whole /64 and could rotate through it.
 */
export const clientNetwork = (c: Context): string => ipv6Prefix64(clientAddress(c))

export function ipv6Prefix64(address: string): string {
  if (!address.includes(':')) return address
  const [head = '', tail] = address.toLowerCase().split('::', 2)
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const missing = tail === undefined ? 0 : Math.max(0, 8 - headGroups.length - tailGroups.length)
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16))
  return `${prefix.join(':')}::/64`
}
