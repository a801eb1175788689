/**
 * Who may use the endpoint. It runs any SQL as the database's owner, so it answers only requests
 * addressed to a loopback name (a web page reaching it through DNS rebinding sends its own host
 * name) that carry the secret made for this run as the password of their connection string.
 */
import crypto from 'node:crypto'

/** 32 random bytes, hex: a fresh secret for every start of the endpoint. */
export function createSecret(): string {
  return crypto.randomBytes(32).toString('hex')
}

/**
 * True for a Host header naming this machine's loopback interface: `localhost`, any address in
 * 127.0.0.0/8, or `[::1]`, with or without a port. Anything else, a missing header included, is
 * refused: browsers always send the name the page used, never the address it resolved to.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host || /[\s/\\@?#]/.test(host)) return false
  let url: URL
  try {
    url = new URL(`http://${host}`)
  } catch {
    return false
  }
  // The WHATWG parser writes IPv4 in dotted quads (`127.1` becomes `127.0.0.1`) and IPv6 in its
  // shortest form, so one comparison per kind is enough.
  const name = url.hostname.toLowerCase()
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
}

/** The password of a postgresql:// URL, percent-decoded; undefined when there is none. */
export function passwordOf(connectionString: string | undefined): string | undefined {
  if (!connectionString) return undefined
  try {
    const url = new URL(connectionString)
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') return undefined
    return url.password ? decodeURIComponent(url.password) : undefined
  } catch {
    return undefined
  }
}

const digest = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest()

/**
 * A check of whether a connection string's password is the secret, compared in constant time
 * (over digests, so neither the secret's length nor its content leaks through timing). The
 * secret's digest is made once, not per request.
 */
export function secretCheck(secret: string): (connectionString: string | undefined) => boolean {
  const expected = digest(secret)
  return (connectionString) => {
    const password = passwordOf(connectionString)
    const matches = crypto.timingSafeEqual(digest(password ?? ''), expected)
    return password !== undefined && matches
  }
}

export function holdsSecret(secret: string, connectionString: string | undefined): boolean {
  return secretCheck(secret)(connectionString)
}
