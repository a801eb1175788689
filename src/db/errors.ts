type PgErrorFields = { code?: unknown; constraint?: unknown }

function pgFields(error: unknown): PgErrorFields | undefined {
  // drizzle wraps the driver's NeonDbError in `cause`; look at both.
  for (let current = error, depth = 0; current && depth < 3; depth++) {
    if (typeof current !== 'object') return undefined
    const fields = current as PgErrorFields & { cause?: unknown }
    if (typeof fields.code === 'string' && fields.code.length === 5) return fields
    current = fields.cause
  }
  return undefined
}

/** The SQLSTATE of a database error, wrapped by drizzle or not (batches are not wrapped). */
export function pgErrorCode(error: unknown): string | undefined {
  const code = pgFields(error)?.code
  return typeof code === 'string' ? code : undefined
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const fields = pgFields(error)
  return fields?.code === '23505' && fields.constraint === constraint
}

/** True when the database could not be reached or refused service, rather than a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const fields = pgFields(error)
  if (fields) {
    const code = String(fields.code)
    // 08: connection exceptions; 53: insufficient resources; 57P0x: shutdown / cannot connect.
    return code.startsWith('08') || code.startsWith('53') || /^57P0[1-4]$/.test(code)
  }
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth++) {
    if (current.name === 'NeonDbError') {
      return /Error connecting to database|Server error \(HTTP status 5\d\d\)/.test(current.message)
    }
    current = current.cause
  }
  return false
}
