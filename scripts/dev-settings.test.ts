import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { JWT_SECRET_PLACEHOLDER } from '../src/lib/jwt-secret'
import { checkDevSecret } from './dev-settings'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-settings-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function devVars(content: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.dev.vars`)
  fs.writeFileSync(file, content)
  return file
}

const GOOD = 'a'.repeat(64)

describe('npm run dev checks JWT_SECRET before it starts', () => {
  it('refuses the placeholder of .dev.vars.example, saying why and where, never the value', () => {
    const file = devVars(`JWT_SECRET=${JWT_SECRET_PLACEHOLDER}\n`)
    expect(() => checkDevSecret({}, file)).toThrow(
      /JWT_SECRET \(from .*\.dev\.vars\) is the placeholder/,
    )
    try {
      checkDevSecret({}, file)
    } catch (error) {
      expect((error as Error).message).not.toContain(JWT_SECRET_PLACEHOLDER)
    }
  })

  it('refuses a short secret, and a missing one', () => {
    expect(() => checkDevSecret({}, devVars('JWT_SECRET="short"\n'))).toThrow(/at least 32 bytes/)
    expect(() => checkDevSecret({}, devVars('# nothing here\n'))).toThrow(/JWT_SECRET/)
  })

  it('accepts a good secret from .dev.vars, quoted or not, and the environment over the file', () => {
    expect(() => checkDevSecret({}, devVars(`JWT_SECRET=${GOOD}\n`))).not.toThrow()
    expect(() => checkDevSecret({}, devVars(`export JWT_SECRET='${GOOD}'\n`))).not.toThrow()
    const placeholderFile = devVars(`JWT_SECRET=${JWT_SECRET_PLACEHOLDER}\n`)
    expect(() => checkDevSecret({ JWT_SECRET: GOOD }, placeholderFile)).not.toThrow()
    expect(() => checkDevSecret({ JWT_SECRET: 'short' }, devVars(`JWT_SECRET=${GOOD}\n`))).toThrow(
      /from the environment/,
    )
  })
})
