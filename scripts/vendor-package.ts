/**
 * What the vendoring scripts share: files copied or extracted at build time from a package that
 * package.json pins exactly, so that the pin is the one place that says which code ships.
 */
import fs from 'node:fs'
import path from 'node:path'
import { repoRoot } from './paths'

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>

export const packageDir = (name: string) => path.join(repoRoot, 'node_modules', name)

/** The exact version package.json pins; a range would let two installs ship different code. */
function pinnedVersion(name: string): string {
  const manifest = readJson(path.join(repoRoot, 'package.json'))
  const sections = [manifest.dependencies, manifest.devDependencies] as (
    | Record<string, string>
    | undefined
  )[]
  const version = sections.map((section) => section?.[name]).find(Boolean)
  if (!version || !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`package.json must pin ${name} to an exact version (found ${version})`)
  return version
}

/**
 * The pinned version, once it is known to be the one installed: a stale node_modules
 * (package.json bumped, `npm install` not run) must not ship old code.
 */
export function checkedVersion(name: string): string {
  const version = pinnedVersion(name)
  const manifestPath = path.join(packageDir(name), 'package.json')
  if (!fs.existsSync(manifestPath))
    throw new Error(`${name} is not installed in node_modules: run \`npm install\``)
  const installed = String(readJson(manifestPath).version)
  if (installed !== version)
    throw new Error(
      `${name} ${installed} is installed but package.json pins ${version}: run \`npm install\``,
    )
  return version
}

/** Writes only what changed, so `wrangler dev` (which watches its inputs) does not reload for nothing. */
export function writeIfChanged(file: string, content: Buffer): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(content)) return false
  fs.writeFileSync(file, content)
  return true
}
