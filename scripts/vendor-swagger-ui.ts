/**
 * Copies Swagger UI's browser files from the pinned `swagger-ui-dist` package into
 * public/docs/vendor/ (git-ignored), where Workers static assets serve them from this origin:
 * /docs then loads no script or style from anywhere else, and works offline.
 *
 * The files are far too big for the Worker bundle (the bundle alone is ~1.7 MB), so they are
 * static assets, and they are copied rather than committed so that package.json's exact version
 * is the one place that says which Swagger UI ships.
 *
 * Run by wrangler's `[build] command` (before `wrangler dev`, `wrangler deploy` and the bundle
 * check's dry run) and by the tests' global setup (the Workers test pool reads wrangler.toml's
 * assets but does not run the build command).
 *
 *   node --import tsx scripts/vendor-swagger-ui.ts
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './paths'
import { checkedVersion, packageDir, writeIfChanged } from './vendor-package'

const PACKAGE = 'swagger-ui-dist'
const sourceDir = packageDir(PACKAGE)
export const vendorDir = path.join(repoRoot, 'public', 'docs', 'vendor')

/**
 * What /docs/index.html needs, and the licence texts that must travel with the code
 * (swagger-ui is Apache-2.0 with a NOTICE; the bundle's LICENSE.txt lists what it bundles).
 * Source maps stay out: they would double what is uploaded, for devtools only.
 */
export const VENDORED_FILES = [
  'swagger-ui-bundle.js',
  'swagger-ui-bundle.js.LICENSE.txt',
  'swagger-ui.css',
  'favicon-32x32.png',
  'LICENSE',
  'NOTICE',
] as const

export function vendorSwaggerUi(): { version: string; changed: string[] } {
  const version = checkedVersion(PACKAGE)
  fs.mkdirSync(vendorDir, { recursive: true })
  const changed: string[] = VENDORED_FILES.filter((file) =>
    writeIfChanged(path.join(vendorDir, file), fs.readFileSync(path.join(sourceDir, file))),
  )
  // Files a previous version vendored and this one does not would otherwise be served forever.
  const wanted = new Set<string>(VENDORED_FILES)
  for (const file of fs.readdirSync(vendorDir)) {
    if (!wanted.has(file)) {
      fs.rmSync(path.join(vendorDir, file), { recursive: true, force: true })
      changed.push(`${file} (removed)`)
    }
  }
  return { version, changed }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { version, changed } = vendorSwaggerUi()
    const what = changed.length ? `updated ${changed.join(', ')}` : 'up to date'
    console.log(`[vendor] ${PACKAGE} ${version} in public/docs/vendor: ${what}`)
  } catch (error) {
    console.error(`[vendor] ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
