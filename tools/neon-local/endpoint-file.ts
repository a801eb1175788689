/**
 * A running endpoint's address and connection string (with its per-run secret), in an
 * owner-only file, so another process of the same user can reach the database it serves. The
 * embedded PGlite serves one process at a time: this is how `npm run db:sql` gets to it while
 * `npm run dev` holds it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { STATS_PATH } from './index'

export interface EndpointInfo {
  /** e.g. http://127.0.0.1:41234/sql */
  endpoint: string
  /** postgresql:// URL whose password is the endpoint's secret. */
  connectionString: string
  /** Which database serves the requests (no password). */
  backend: string
  /** The process the endpoint runs in. */
  pid: number
}

/** Where the endpoint in front of a persisted PGlite is announced: next to its data directory. */
export function endpointFileFor(pgliteDataDir: string): string {
  return `${path.resolve(pgliteDataDir).replace(/[\\/]+$/, '')}.endpoint.json`
}

/**
 * Writes the file readable and writable by its owner only. A new file every time: an existing
 * one might have been made with looser permissions, and writeFile's mode applies to new files.
 */
export function writeEndpointFile(file: string, info: EndpointInfo): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  fs.rmSync(temporary, { force: true })
  fs.writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  fs.renameSync(temporary, file)
}

/** Removes the file if it still announces this process's endpoint. */
export function removeEndpointFile(file: string): void {
  const info = readEndpointFile(file)
  if (info?.pid === process.pid) fs.rmSync(file, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readEndpointFile(file: string): EndpointInfo | undefined {
  try {
    const stat = fs.statSync(file)
    // Trust only a file of our own that nobody else could have written.
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) return undefined
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<EndpointInfo>
    if (
      typeof info.endpoint !== 'string' ||
      typeof info.connectionString !== 'string' ||
      typeof info.backend !== 'string' ||
      typeof info.pid !== 'number'
    ) {
      return undefined
    }
    return info as EndpointInfo
  } catch {
    return undefined
  }
}

/**
 * The endpoint the file announces, if its process is alive and it answers with this secret
 * (left behind by a process that was killed, the file is ignored).
 */
export async function findRunningEndpoint(
  file: string,
  timeoutMs = 2000,
): Promise<EndpointInfo | undefined> {
  const info = readEndpointFile(file)
  if (!info || !isAlive(info.pid)) return undefined
  try {
    const response = await fetch(new URL(STATS_PATH, info.endpoint), {
      headers: { 'Neon-Connection-String': info.connectionString },
      signal: AbortSignal.timeout(timeoutMs),
    })
    await response.body?.cancel()
    return response.ok ? info : undefined
  } catch {
    return undefined
  }
}
