/** Helpers for postgresql:// URLs that never let a password reach a log line or a stats key. */

const DRIVER_APPLICATION_NAME = /^pkg:npm\//

function parsePostgresUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:' ? parsed : undefined
  } catch {
    return undefined
  }
}

export function isPostgresUrl(url: string): boolean {
  return parsePostgresUrl(url) !== undefined
}

/** True for a URL that points at Neon itself, where no local endpoint must stand in between. */
export function isNeonHost(url: string): boolean {
  const host = parsePostgresUrl(url)?.hostname.toLowerCase()
  return host !== undefined && (host === 'neon.tech' || host.endsWith('.neon.tech'))
}

/**
 * The key under which round trips are counted: the connection string without its password and
 * without the `application_name` the driver appends on its own, so a test can look up exactly the
 * URL it handed to the app.
 */
export function connectionKey(connectionString: string): string {
  const url = parsePostgresUrl(connectionString)
  if (!url) return '(not a postgresql:// URL)'
  url.password = ''
  const appName = url.searchParams.get('application_name')
  if (appName !== null && DRIVER_APPLICATION_NAME.test(appName)) {
    url.searchParams.delete('application_name')
  }
  const text = url.toString()
  return text.startsWith('postgres://') ? `postgresql://${text.slice('postgres://'.length)}` : text
}

/** `host:port/database` for messages: enough to tell servers apart, nothing secret. */
export function describeDatabaseUrl(url: string): string {
  const parsed = parsePostgresUrl(url)
  if (!parsed) return '(not a postgresql:// URL)'
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)'
  return `${parsed.host || 'localhost'}/${database}`
}

/** The URL with its password shown as `****`, for messages that must name it. */
export function maskPassword(url: string): string {
  const parsed = parsePostgresUrl(url)
  if (!parsed) return '(not a postgresql:// URL)'
  if (parsed.password) parsed.password = '****'
  return parsed.toString()
}

/** Removes the URL's password (raw and percent-decoded) from a message before it is shown. */
export function redactPassword(message: string, url: string | undefined): string {
  if (!url) return message
  const parsed = parsePostgresUrl(url)
  let result = message.split(url).join('(database URL)')
  if (parsed?.password) {
    const secrets = new Set([parsed.password, safeDecode(parsed.password)])
    for (const secret of secrets) {
      if (secret.length > 0) result = result.split(secret).join('****')
    }
  }
  return result
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
