/**
 * Migrating a database that has data: a copy of the migrations folder that stops at a given
 * migration stands for the schema an older deploy had.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'migrations',
)

/** A copy of the migrations folder that stops at `tag`: the schema as an old deploy had it. */
export function migrationsUpTo(tag: string): string {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: Array<{ tag: string }> }
  const upTo = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === tag) + 1)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'))
  fs.mkdirSync(path.join(dir, 'meta'))
  fs.writeFileSync(
    path.join(dir, 'meta', '_journal.json'),
    JSON.stringify({ ...journal, entries: upTo }),
  )
  for (const entry of upTo) {
    fs.copyFileSync(
      path.join(migrationsFolder, `${entry.tag}.sql`),
      path.join(dir, `${entry.tag}.sql`),
    )
  }
  return dir
}
