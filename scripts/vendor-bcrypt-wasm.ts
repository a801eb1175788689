/**
 * Extracts the bcrypt WebAssembly of the pinned `hash-wasm` package into
 * src/lib/vendor/hash-wasm-bcrypt.wasm (git-ignored), where src/lib/bcrypt-wasm.ts imports it.
 *
 * hash-wasm publishes its WebAssembly only as base64 inside its JavaScript, which compiles it at
 * run time; workerd refuses to compile WebAssembly from bytes at run time, so the bytes must
 * reach the Worker as a `.wasm` module that wrangler bundles (and workerd compiles at startup).
 * The bytes are checked against the tag hash-wasm ships with them (the first 4 bytes of their
 * SHA-1), so a change in how the package lays out its file fails here rather than in a login.
 *
 * Run by wrangler's `[build] command` and by the tests' global setup (the Workers test pool
 * does not run the build command), like vendor-swagger-ui.ts.
 *
 *   node --import tsx scripts/vendor-bcrypt-wasm.ts
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './paths'
import { checkedVersion, packageDir, writeIfChanged } from './vendor-package'

const PACKAGE = 'hash-wasm'
export const wasmVendorDir = path.join(repoRoot, 'src', 'lib', 'vendor')
export const BCRYPT_WASM_FILE = 'hash-wasm-bcrypt.wasm'
/** What the glue calls; anything else missing means the package changed under us. */
const REQUIRED_EXPORTS = ['memory', 'Hash_GetBuffer', 'bcrypt', 'bcrypt_verify']

/** hash-wasm's build writes each algorithm as `var name$N = "…"; var data$N = "…"; var hash$N = "…";`. */
const EMBEDDED_BCRYPT =
  /var name\$(\d+) = "bcrypt";\s*var data\$\1 = "([A-Za-z0-9+/]+={0,2})";\s*var hash\$\1 = "([0-9a-f]{8})";/

export function extractBcryptWasm(source: string): Buffer {
  const match = EMBEDDED_BCRYPT.exec(source)
  if (!match?.[2] || !match[3]) throw new Error(`no embedded bcrypt WebAssembly in ${PACKAGE}`)
  const bytes = Buffer.from(match[2], 'base64')
  const tag = crypto.createHash('sha1').update(bytes).digest('hex').slice(0, 8)
  if (tag !== match[3])
    throw new Error(`${PACKAGE}'s bcrypt WebAssembly does not match its tag (${tag} ≠ ${match[3]})`)
  if (!WebAssembly.validate(bytes)) throw new Error(`${PACKAGE}'s bcrypt is not valid WebAssembly`)
  const exported = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map(({ name }) => name)
  const missing = REQUIRED_EXPORTS.filter((name) => !exported.includes(name))
  if (missing.length) throw new Error(`${PACKAGE}'s bcrypt lacks ${missing.join(', ')}`)
  return bytes
}

export function vendorBcryptWasm(): { version: string; changed: string[] } {
  const version = checkedVersion(PACKAGE)
  const source = fs.readFileSync(path.join(packageDir(PACKAGE), 'dist', 'index.esm.js'), 'utf8')
  const wasm = extractBcryptWasm(source)
  fs.mkdirSync(wasmVendorDir, { recursive: true })
  const changed: string[] = []
  if (writeIfChanged(path.join(wasmVendorDir, BCRYPT_WASM_FILE), wasm))
    changed.push(BCRYPT_WASM_FILE)
  // MIT: the notice travels with the code it covers.
  const license = fs.readFileSync(path.join(packageDir(PACKAGE), 'LICENSE'))
  if (writeIfChanged(path.join(wasmVendorDir, 'hash-wasm.LICENSE'), license))
    changed.push('hash-wasm.LICENSE')
  return { version, changed }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { version, changed } = vendorBcryptWasm()
    const what = changed.length ? `updated ${changed.join(', ')}` : 'up to date'
    console.log(`[vendor] ${PACKAGE} ${version} bcrypt in src/lib/vendor: ${what}`)
  } catch (error) {
    console.error(`[vendor] ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
