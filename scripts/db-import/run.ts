/**
 * The import itself: rows stream from the old table, are decided one by one, and are written a
 * batch at a time. Skipped rows are reported as they are met, progress at most every few
 * seconds, and the counts at the end.
 */
import type { Database } from '../../src/db/client'
import { checkRow, decideCaseDuplicates, type ImportRow, SKIP_LABELS, type SkipKind } from './rows'
import { openSource } from './source'
import { classifyBatch, type Written, writeBatch } from './write'

export type ImportOptions = {
  from: string
  dryRun: boolean
  batchSize: number
  log: (line: string) => void
  /** Time between progress lines; the first batch always has one. */
  progressEveryMs?: number
}

export type Summary = {
  read: number
  imported: number
  /** Of those imported, the old service's admins: they are admins here too. */
  admins: number
  present: number
  skipped: Partial<Record<SkipKind, number>>
}

const skippedTotal = (summary: Summary) =>
  Object.values(summary.skipped).reduce((total, count) => total + (count ?? 0), 0)

export function describeSummary(summary: Summary, dryRun: boolean): string {
  const kinds = Object.entries(summary.skipped)
    .map(([kind, count]) => `${count} ${SKIP_LABELS[kind as SkipKind]}`)
    .join(', ')
  const skipped = `${skippedTotal(summary)} skipped${kinds ? ` (${kinds})` : ''}`
  const admins = summary.admins > 0 ? ` (${summary.admins} of them admins)` : ''
  const imported = `${summary.imported} ${dryRun ? 'to import' : 'imported'}${admins}`
  const verdict = dryRun ? 'Dry run, nothing written' : 'Done'
  return `${verdict}: ${summary.read} rows read; ${imported}, ${summary.present} already here (left as they are), ${skipped}.`
}

export async function importUsers(db: Database, options: ImportOptions): Promise<Summary> {
  const { log, batchSize } = options
  const summary: Summary = { read: 0, imported: 0, admins: 0, present: 0, skipped: {} }
  const source = await openSource(options.from, batchSize)
  const skip = (row: { id: string; email: string }, kind: SkipKind, reason: string) => {
    summary.skipped[kind] = (summary.skipped[kind] ?? 0) + 1
    log(`  skipped user ${row.id} ${JSON.stringify(row.email)}: ${reason}`)
  }
  let lastProgress: { at: number; read: number } | undefined
  const progress = (final: boolean) => {
    const now = Date.now()
    const due = !lastProgress || now - lastProgress.at >= (options.progressEveryMs ?? 5000)
    // The last line is the final count, printed once.
    if (final ? lastProgress?.read === summary.read : !due) return
    lastProgress = { at: now, read: summary.read }
    const percent = source.total === 0 ? 100 : Math.floor((summary.read / source.total) * 100)
    log(
      `${summary.read}/${source.total} rows read (${percent}%): ${summary.imported} ${options.dryRun ? 'to import' : 'imported'}, ${summary.present} already here, ${skippedTotal(summary)} skipped`,
    )
  }
  let pending: ImportRow[] = []
  const flush = async () => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    const written: Written[] = options.dryRun
      ? await classifyBatch(db, batch)
      : await writeBatch(db, batch)
    const byId = new Map(batch.map((row) => [row.id, row]))
    for (const { id, outcome, holder } of written) {
      if (outcome === 'imported') {
        summary.imported += 1
        if (byId.get(id)?.role === 'admin') summary.admins += 1
      } else if (outcome === 'present') summary.present += 1
      else {
        const row = byId.get(id) ?? { id, email: '?' }
        skip(row, 'email_taken', `email already belongs to user ${holder ?? '(another)'} here`)
      }
    }
    progress(false)
  }
  log(`Source: ${source.total} users in ${source.description}`)
  try {
    for await (const decision of decideCaseDuplicates(source.rows())) {
      summary.read += 1
      const checked = decision.skip ? { skip: decision.skip } : checkRow(decision.row)
      if ('skip' in checked) skip(decision.row, checked.skip.kind, checked.skip.reason)
      else pending.push(checked.row)
      if (pending.length >= batchSize) await flush()
    }
    await flush()
  } finally {
    await source.close()
  }
  progress(true)
  return summary
}
