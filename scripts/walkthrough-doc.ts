/**
 * docs/api.md shows docs/walkthrough.sh verbatim, between two markers, so every command a reader
 * copies is one CI runs. `npm run docs:walkthrough -- --sync-docs` copies the script in; a test
 * (walkthrough-doc.test.ts) fails when the two differ.
 */
import fs from 'node:fs'
import path from 'node:path'
import { repoRoot } from './paths'

export const walkthroughScript = path.join(repoRoot, 'docs', 'walkthrough.sh')
export const apiDoc = path.join(repoRoot, 'docs', 'api.md')

const START = '<!-- walkthrough:start (generated from docs/walkthrough.sh: edit the script) -->'
const END = '<!-- walkthrough:end -->'

/** The script as the document shows it: its text in a fenced sh block between the markers. */
export function walkthroughBlock(script: string): string {
  return `${START}\n\n\`\`\`sh\n${script.trimEnd()}\n\`\`\`\n\n${END}`
}

function markers(markdown: string): { start: number; end: number } {
  const start = markdown.indexOf(START)
  const end = markdown.indexOf(END)
  if (start === -1 || end < start) {
    throw new Error(`docs/api.md has no walkthrough block (${START} ... ${END})`)
  }
  return { start, end: end + END.length }
}

/** The block the document holds now, markers included. */
export function currentBlock(markdown: string): string {
  const { start, end } = markers(markdown)
  return markdown.slice(start, end)
}

/** The document with its block replaced by the script's text. */
export function withWalkthrough(markdown: string, script: string): string {
  const { start, end } = markers(markdown)
  return markdown.slice(0, start) + walkthroughBlock(script) + markdown.slice(end)
}

export function syncWalkthroughDoc(): boolean {
  const markdown = fs.readFileSync(apiDoc, 'utf8')
  const updated = withWalkthrough(markdown, fs.readFileSync(walkthroughScript, 'utf8'))
  if (updated === markdown) return false
  fs.writeFileSync(apiDoc, updated)
  return true
}
