/** What the import takes from the old table, and what it reports and skips. */
import { hashSync } from '@node-rs/bcrypt'
import { describe, expect, it } from 'vitest'
import { checkRow, type Decision, decideCaseDuplicates, type SourceRow } from './rows'

const hash = hashSync('Old-Pass-123', { cost: 4, version: '2b' })

let counter = 0
const row = (changes: Partial<SourceRow> = {}): SourceRow => {
  counter += 1
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    password_hash: hash,
    role: 'user',
    created_at: '2019-03-04T05:06:07.123456+00:00',
    updated_at: '2020-03-04T05:06:07.654321+00:00',
    ...changes,
  }
}

async function* streamOf(rows: SourceRow[]) {
  yield* rows
}

async function decide(rows: SourceRow[]): Promise<Decision[]> {
  const decisions: Decision[] = []
  for await (const decision of decideCaseDuplicates(streamOf(rows))) decisions.push(decision)
  return decisions
}

describe('checkRow', () => {
  it('keeps the id, hash, role and timestamps as they are; lower-cases the email', () => {
    const source = row({ email: 'Ada@Example.COM', role: 'admin' })
    expect(checkRow(source)).toEqual({ row: { ...source, email: 'ada@example.com' } })
  })

  it('takes the bcrypt versions the app verifies: $2a$, $2b$, $2y$', () => {
    for (const version of ['2a', '2b', '2y']) {
      const result = checkRow(row({ password_hash: hash.replace('$2b$', `$${version}$`) }))
      expect(result).toHaveProperty('row')
    }
  })

  it.each([
    ['an email the contract refuses', { email: 'dots..twice@example.com' }, 'invalid_email'],
    ['an email over 255 characters', { email: `${'a'.repeat(250)}@example.com` }, 'invalid_email'],
    ['a name with a control character', { name: 'Dave\u0007Bell' }, 'invalid_name'],
    ['a blank name', { name: '   ' }, 'invalid_name'],
    [
      'a hash that is not bcrypt',
      { password_hash: 'pbkdf2_sha256$260000$salt$hash' },
      'not_bcrypt',
    ],
    ['a truncated bcrypt hash', { password_hash: hash.slice(0, -1) }, 'not_bcrypt'],
    ['$2x$, the buggy variant', { password_hash: hash.replace('$2b$', '$2x$') }, 'not_bcrypt'],
    ['an unknown role', { role: 'superuser' }, 'invalid_role'],
  ])('skips %s, saying why', (_, changes, kind) => {
    const result = checkRow(row(changes))
    expect(result).toMatchObject({ skip: { kind } })
    if ('skip' in result) expect(result.skip.reason.length).toBeGreaterThan(10)
  })
})

describe('decideCaseDuplicates', () => {
  it('passes rows with distinct emails on, in order', async () => {
    const rows = [row({ email: 'a@example.com' }), row({ email: 'b@example.com' })]
    expect(await decide(rows)).toEqual(rows.map((r) => ({ row: r })))
  })

  it('of emails that differ only by case, goes on with the one stored lower-case', async () => {
    const mixed = row({ email: 'Ada@Example.com' })
    const lower = row({ email: 'ada@example.com' })
    const upper = row({ email: 'ADA@EXAMPLE.COM' })
    const after = row({ email: 'bob@example.com' })
    const decisions = await decide([mixed, lower, upper, after])
    expect(decisions.map((d) => [d.row.email, d.skip?.kind])).toEqual([
      ['Ada@Example.com', 'case_duplicate'],
      ['ada@example.com', undefined],
      ['ADA@EXAMPLE.COM', 'case_duplicate'],
      ['bob@example.com', undefined],
    ])
    expect(decisions[0]?.skip?.reason).toContain(lower.id)
  })

  it('skips them all when none is stored lower-case: whose address it is is unclear', async () => {
    const decisions = await decide([
      row({ email: 'Ada@example.com' }),
      row({ email: 'ADA@example.com' }),
    ])
    expect(decisions.map((d) => d.skip?.kind)).toEqual(['case_duplicate', 'case_duplicate'])
    expect(decisions[0]?.skip?.reason).toMatch(/none is stored lower-case/)
  })

  it('passes a lone mixed-case email on (it is lower-cased when checked)', async () => {
    const lone = row({ email: 'Grace@Example.com' })
    expect(await decide([lone])).toEqual([{ row: lone }])
  })

  it('streams: holds one group at a time, so an endless source still yields', async () => {
    let produced = 0
    async function* endless() {
      for (;;) {
        produced += 1
        yield row({ email: `user${produced}@example.com` })
      }
    }
    const taken: Decision[] = []
    for await (const decision of decideCaseDuplicates(endless())) {
      taken.push(decision)
      if (taken.length === 3) break
    }
    expect(taken).toHaveLength(3)
    expect(produced).toBe(4)
  })
})
