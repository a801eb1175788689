type Level = 'debug' | 'info' | 'warn' | 'error'
type Fields = Record<string, string | number | boolean | null | undefined>

/**
 * The levels LOG_LEVEL may name; warnings and errors are always written. `info` is the default:
 * auth events (registrations, logins, password changes and resets, sessions ended, users
 * deleted, role changes) and problems, but no line per request, since Workers Logs already
 * records every invocation and bills by the line. `debug` adds an access line per request.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export type Logger = {
  /** Whether lines at `level` are written: a caller can skip gathering what would be dropped. */
  writes(level: Level): boolean
  debug(message: string, fields?: Fields): void
  info(message: string, fields?: Fields): void
  warn(message: string, fields?: Fields): void
  error(message: string, fields?: Fields): void
}

const skip = () => undefined

/**
 * One JSON line per event, tagged with the request id. Callers pass only the fields they
 * choose, so a body, a password, a hash or a token cannot reach a log by accident. Lines below
 * `level` cost nothing: no object is built, no clock read.
 */
export function createLogger(requestId: string, level: LogLevel = DEFAULT_LOG_LEVEL): Logger {
  const writer = (lineLevel: Level) => {
    if (RANK[lineLevel] < RANK[level]) return skip
    return (message: string, fields?: Fields) => {
      const line = JSON.stringify({
        level: lineLevel,
        message,
        requestId,
        time: new Date().toISOString(),
        ...fields,
      })
      if (lineLevel === 'error') console.error(line)
      else if (lineLevel === 'warn') console.warn(line)
      else console.log(line)
    }
  }
  return {
    writes: (lineLevel) => RANK[lineLevel] >= RANK[level],
    debug: writer('debug'),
    info: writer('info'),
    warn: writer('warn'),
    error: writer('error'),
  }
}
