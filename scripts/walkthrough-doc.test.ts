import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  apiDoc,
  currentBlock,
  walkthroughBlock,
  walkthroughScript,
  withWalkthrough,
} from './walkthrough-doc'

const script = fs.readFileSync(walkthroughScript, 'utf8')

/**
 * Variables the script reads ($NAME, ${NAME}) before any line assigns them (NAME=...): what a
 * reader running it top to bottom, or copying its commands in order, would find unset. A read
 * with a default (${NAME:-...}) counts as set.
 */
function readBeforeSet(text: string): string[] {
  const assigned = new Set<string>()
  const unset: string[] = []
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue
    for (const match of line.matchAll(/\$(\{)?([A-Z_][A-Z0-9_]*)(:[-?])?/g)) {
      const name = match[2] as string
      const defaulted = match[1] !== undefined && match[3] !== undefined
      if (!defaulted && !assigned.has(name)) unset.push(name)
    }
    for (const match of line.matchAll(/^\s*([A-Z_][A-Z0-9_]*)=/g)) assigned.add(match[1] as string)
  }
  return unset
}

describe('the API walkthrough', () => {
  it('is shown in docs/api.md exactly as docs/walkthrough.sh has it', () => {
    const shown = currentBlock(fs.readFileSync(apiDoc, 'utf8'))
    // On a difference: npm run docs:walkthrough -- --sync-docs
    expect(shown).toBe(walkthroughBlock(script))
  })

  it('sets every variable it uses before a command needs it', () => {
    expect(readBeforeSet(script)).toEqual([])
    for (const name of ['API', 'TOKEN', 'ADMIN_TOKEN', 'USER_ID', 'NEXT_CURSOR', 'SESSION_ID']) {
      expect(script).toContain(`$${name}`)
    }
  })

  it('would notice a variable read before it is set', () => {
    expect(readBeforeSet('curl $API/v1/users/$USER_ID\nUSER_ID=1\n')).toEqual(['API', 'USER_ID'])
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell, a default for an unset API
    expect(readBeforeSet('API=${API:-http://x}\ncurl $API/\n')).toEqual([])
  })

  it('stops at the first command that fails, and on an unset variable', () => {
    expect(script).toMatch(/^set -euo pipefail$/m)
  })
})

describe('the walkthrough block of docs/api.md', () => {
  const doc = (block: string) => `# API\n\nbefore\n\n${block}\n\nafter\n`

  it('is replaced whole, leaving the text around it', () => {
    const updated = withWalkthrough(doc(walkthroughBlock('echo old')), 'echo new\n')
    expect(updated).toBe(doc(walkthroughBlock('echo new')))
    expect(currentBlock(updated)).toContain('echo new')
    expect(updated).not.toContain('echo old')
  })

  it('must exist', () => {
    expect(() => currentBlock('# API\n')).toThrow('docs/api.md has no walkthrough block')
  })
})
