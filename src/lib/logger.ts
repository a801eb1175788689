type Level = 'debug' | 'info' | 'warn' | 'error'
type Fields = Record<string, string | number | boolean | null | undefined>

export type Logger = {
  info(message: string, fields?: Fields): void
  warn(message: string, fields?: Fields): void
  error(message: string, fields?: Fields): void
}

/**
 * One JSON line per event, tagged with the request id. Callers pass only the fields they
 * choose, so a body, a password, a hash or a token cannot reach a log by accident.
 */
export function createLogger(requestId: string): Logger {
  const write = (level: Level, message: string, fields?: Fields) => {
    const line = JSON.stringify({
      level,
      message,
      requestId,
      time: new Date().toISOString(),
      ...fields,
    })
    if (level === 'error') console.error(line)
    else if (level === 'warn') console.warn(line)
    else console.log(line)
  }
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  }
}
