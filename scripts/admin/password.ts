/**
 * The new admin's password: typed at a hidden prompt on a terminal, or the first line of
 * standard input otherwise (a pipe, a file, a secret manager). Never an argument or a variable
 * on the command line, which shell history and `ps` would keep.
 */
import fs from 'node:fs'
import path from 'node:path'
import { hash } from '@node-rs/bcrypt'
import { NewPassword } from '../../src/users/schemas'
import { ToolError } from '../app-database'
import { repoRoot } from '../paths'

// More than any password the rules allow (72 bytes): the rest of a large input is not read.
const MAX_STDIN_BYTES = 4096

function promptHidden(question: string): Promise<string> {
  const input = process.stdin
  return new Promise((resolve, reject) => {
    let value = ''
    const finish = (error?: Error) => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish()
        if (char === '\u0003') return finish(new ToolError('Cancelled; nothing changed.'))
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('')
        else value += char
      }
    }
    process.stderr.write(question)
    input.setRawMode(true)
    input.setEncoding('utf8')
    input.on('data', onData)
    input.resume()
  })
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= MAX_STDIN_BYTES || chunk.includes(0x0a)) break
  }
  const text = Buffer.concat(chunks).toString('utf8')
  return (text.split('\n')[0] ?? '').replace(/\r$/, '')
}

/** Reads the password and checks it against the contract's rules for a new password. */
export async function readNewPassword(): Promise<string> {
  let password: string
  if (process.stdin.isTTY) {
    password = await promptHidden('Password for the new admin: ')
    const again = await promptHidden('The same password again: ')
    if (again !== password) throw new ToolError('The two passwords differ; nothing changed.')
  } else {
    password = await firstLineOfStdin()
    if (!password) {
      throw new ToolError(
        'No password: type it at the prompt on a terminal, or give it as the first line of standard input.',
      )
    }
  }
  const result = NewPassword.safeParse(password)
  if (!result.success) {
    const reasons = result.error.issues.map((issue) => issue.message).join('; ')
    throw new ToolError(`The password ${reasons}; nothing changed.`)
  }
  return password
}

/**
 * The cost the app hashes at: BCRYPT_COST from the environment as `npm run dev` takes it, else
 * wrangler.toml's [vars] value, else the app's default; 4 to 15 as the app allows.
 */
export function bcryptCost(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.BCRYPT_COST?.trim()
  const toml = fs.readFileSync(path.join(repoRoot, 'wrangler.toml'), 'utf8')
  const fromToml = /^BCRYPT_COST\s*=\s*"(\d+)"/m.exec(toml)?.[1]
  const text = fromEnv || fromToml || '12'
  const cost = Number(text)
  if (!Number.isInteger(cost) || cost < 4 || cost > 15) {
    throw new ToolError(`BCRYPT_COST must be a whole number from 4 to 15, not ${text}`)
  }
  return cost
}

/**
 * The hash the app would store: `$2b$` bcrypt at its cost, made by the native @node-rs/bcrypt
 * (the app's WebAssembly module loads only in workerd; the two agree byte for byte, see
 * src/lib/bcrypt-wasm.test.ts). With PASSWORD_HASH=scrypt it moves to scrypt at the first login.
 */
export function hashForApp(password: string, cost: number): Promise<string> {
  return hash(password, { cost })
}
