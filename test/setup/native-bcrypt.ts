/**
 * The native bcrypt (@node-rs/bcrypt) for the cross-verification tests in
 * src/lib/bcrypt-wasm.test.ts. It cannot load in workerd, so it runs here, in Node:
 *
 * - nativeBcryptCases(): hashes it made of awkward passwords (72-byte boundaries, non-ASCII,
 *   NUL), in each version it writes, with salts drawn for this run and handed over with them, so
 *   the Worker's bcrypt can both verify them and remake them from the same salt;
 * - startNativeVerifier(): a loopback endpoint where the Worker's tests ask it to verify hashes
 *   the Worker made: POST [{ password, hash }] → [true | false].
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { hashSync, verifySync } from '@node-rs/bcrypt'
import type { NativeBcryptCase } from '../provided'

/** The passwords bcrypt implementations most often disagree on. */
export const AWKWARD_PASSWORDS: Record<string, string> = {
  ascii: 'Sturdy-Pass-42',
  'one byte': 'x',
  '71 bytes': `${'a'.repeat(70)}Z`,
  '72 bytes': `${'b'.repeat(71)}Z`,
  '72 bytes of two-byte characters': 'é'.repeat(36),
  '72 bytes ending in a four-byte character': `${'c'.repeat(68)}🔐`,
  '72 bytes of three-byte characters': '€'.repeat(24),
  'Latin accents': 'pässwörd-Ünïcödé',
  Cyrillic: 'пароль-Надёжный-7',
  CJK: '密码是秘密的',
  'right-to-left': 'كلمة-السر-٤٢',
  'combining marks': 'e\u0301e\u0301-A\u030a',
  emoji: '🔑🗝️👩‍💻',
  'a NUL inside': 'before\u0000after',
  'a NUL at the end': 'trailing\u0000',
  'only a NUL': '\u0000',
}

const VERSIONS = ['2a', '2b', '2y'] as const
const COST = 4

export function nativeBcryptCases(): NativeBcryptCase[] {
  const cases: NativeBcryptCase[] = []
  for (const [label, password] of Object.entries(AWKWARD_PASSWORDS)) {
    for (const version of VERSIONS) {
      const salt = randomBytes(16)
      cases.push({
        label,
        password,
        version,
        cost: COST,
        salt: [...salt],
        hash: hashSync(password, { salt, cost: COST, version }),
      })
    }
  }
  return cases
}

type VerifyRequest = { password: string; hash: string }[]

export async function startNativeVerifier(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      body += chunk
    })
    request.on('end', () => {
      try {
        const checks = JSON.parse(body) as VerifyRequest
        const verdicts = checks.map(({ password, hash }) => verifySync(password, hash))
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify(verdicts))
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' })
        response.end(error instanceof Error ? error.message : String(error))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/verify`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
