/**
 * Neon's SQL-over-HTTP protocol (see shared/NEON_HTTP.md) on top of a `pg` pool: request parsing,
 * execution of one query or of a batch in one transaction, and the response shapes the
 * `@neondatabase/serverless` driver expects.
 */
import type pg from 'pg'
import { withClient } from './pool'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export interface QueryRequest {
  query: string
  params: unknown[]
}

export type SqlRequest =
  | { kind: 'single'; query: QueryRequest }
  | { kind: 'batch'; queries: QueryRequest[] }

export interface BatchOptions {
  isolationLevel: string | undefined
  readOnly: boolean | undefined
  deferrable: boolean | undefined
}

export interface NeonField {
  name: string
  dataTypeID: number
  tableID: number
  columnID: number
  dataTypeSize: number
  dataTypeModifier: number
  format: 'text'
}

export interface NeonResult {
  command: string | null
  rowCount: number | null
  rows: Array<Array<string | null>> | Array<Record<string, string | null>>
  fields: NeonField[]
  rowAsArray: boolean
}

export type NeonErrorBody = Record<(typeof ERROR_FIELDS)[number], string | null>

const ERROR_FIELDS = [
  'message',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'severity',
  'where',
  'table',
  'column',
  'schema',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const

const ISOLATION_LEVELS: Record<string, string> = {
  serializable: 'SERIALIZABLE',
  readuncommitted: 'READ UNCOMMITTED',
  readcommitted: 'READ COMMITTED',
  repeatableread: 'REPEATABLE READ',
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseQuery(value: unknown, where: string): QueryRequest {
  if (!isRecord(value) || typeof value.query !== 'string') {
    throw new HttpError(400, `${where}: expected an object with a string "query"`)
  }
  const params = value.params ?? []
  if (!Array.isArray(params)) throw new HttpError(400, `${where}: "params" must be an array`)
  return { query: value.query, params }
}

export function parseSqlRequest(body: string): SqlRequest {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new HttpError(400, 'request body is not valid JSON')
  }
  if (isRecord(json) && 'queries' in json) {
    if (!Array.isArray(json.queries)) throw new HttpError(400, '"queries" must be an array')
    return {
      kind: 'batch',
      queries: json.queries.map((query, index) => parseQuery(query, `queries[${index}]`)),
    }
  }
  return { kind: 'single', query: parseQuery(json, 'request body') }
}

function parseBooleanHeader(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  const normalized = value.trim().toLowerCase()
  if (normalized === 'true') return true
  if (normalized === 'false') return false
  throw new HttpError(400, `${name} must be "true" or "false"`)
}

export function parseBatchOptions(headers: Record<string, string | undefined>): BatchOptions {
  const isolationHeader = headers['neon-batch-isolation-level']
  let isolationLevel: string | undefined
  if (isolationHeader !== undefined) {
    isolationLevel = ISOLATION_LEVELS[isolationHeader.trim().toLowerCase()]
    if (!isolationLevel) {
      throw new HttpError(
        400,
        'Neon-Batch-Isolation-Level must be Serializable, ReadUncommitted, ReadCommitted or RepeatableRead',
      )
    }
  }
  return {
    isolationLevel,
    readOnly: parseBooleanHeader('Neon-Batch-Read-Only', headers['neon-batch-read-only']),
    deferrable: parseBooleanHeader('Neon-Batch-Deferrable', headers['neon-batch-deferrable']),
  }
}

function beginStatement(options: BatchOptions): string {
  const modes: string[] = []
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${options.isolationLevel}`)
  if (options.readOnly !== undefined) modes.push(options.readOnly ? 'READ ONLY' : 'READ WRITE')
  if (options.deferrable !== undefined) {
    modes.push(options.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE')
  }
  return modes.length > 0 ? `BEGIN ${modes.join(', ')}` : 'BEGIN'
}

// The driver parses every value itself from `dataTypeID`, so rows must carry PostgreSQL's own
// text: no parser may run here.
const rawText: pg.CustomTypesConfig = {
  getTypeParser: () => (value: string) => value,
}

// `queryMode` is in pg 8.23 but not in @types/pg. 'extended' makes even parameterless queries go
// through Parse/Bind, which refuses multi-statement strings with 42601 exactly as Neon does.
type ExtendedArrayQuery = pg.QueryArrayConfig<unknown[]> & { queryMode: 'extended' }

async function runQuery(
  client: pg.PoolClient,
  request: QueryRequest,
  arrayMode: boolean,
): Promise<NeonResult> {
  const config: ExtendedArrayQuery = {
    text: request.query,
    values: request.params,
    rowMode: 'array',
    types: rawText,
    queryMode: 'extended',
  }
  const result = await client.query(config)
  const names = result.fields.map((field) => field.name)
  const rows = result.rows as Array<Array<string | null>>
  return {
    command: result.command ?? null,
    rowCount: result.rowCount ?? null,
    rows: arrayMode
      ? rows
      : rows.map((row) => Object.fromEntries(row.map((value, index) => [names[index], value]))),
    fields: result.fields.map((field) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      tableID: field.tableID,
      columnID: field.columnID,
      dataTypeSize: field.dataTypeSize,
      dataTypeModifier: field.dataTypeModifier,
      format: 'text',
    })),
    rowAsArray: arrayMode,
  }
}

export async function executeSingle(
  pool: pg.Pool,
  request: QueryRequest,
  arrayMode: boolean,
): Promise<NeonResult> {
  return withClient(pool, (client) => runQuery(client, request, arrayMode))
}

export async function executeBatch(
  pool: pg.Pool,
  queries: QueryRequest[],
  options: BatchOptions,
  arrayMode: boolean,
): Promise<{ results: NeonResult[] }> {
  return withClient(pool, async (client) => {
    await client.query(beginStatement(options))
    try {
      const results: NeonResult[] = []
      for (const query of queries) results.push(await runQuery(client, query, arrayMode))
      await client.query('COMMIT')
      return { results }
    } catch (error) {
      // The batch's own error is what the caller must see; a failed ROLLBACK only means the
      // connection is gone, which withClient notices and handles.
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    }
  })
}

/** The error shape the driver reads: every field present, strings or null. */
export function errorBody(fields: Partial<Record<keyof NeonErrorBody, unknown>>): NeonErrorBody {
  const body = {} as NeonErrorBody
  for (const field of ERROR_FIELDS) {
    const value = fields[field]
    body[field] = value === undefined || value === null ? null : String(value)
  }
  return body
}

export function databaseErrorBody(error: pg.DatabaseError): NeonErrorBody {
  return errorBody({ ...error, message: error.message })
}
