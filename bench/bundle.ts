/**
 * The Worker bundle as `wrangler deploy` would upload it (minified, dry run), with esbuild's
 * metafile to see which package costs what.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { repoRoot } from '../scripts/paths'
import { makeTempDir } from './temp-dir'

const wranglerBin = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

export const KIB = 1024
/**
 * Everything uploaded (the script and the bcrypt WebAssembly), gzip at zlib's default level, as
 * Cloudflare counts it. 150 KiB until the OpenAPI document came from the routes and the
 * WebAssembly module was counted (150.7 KiB then). The bytes are not in this app to find: a third
 * is @neondatabase/serverless (49 KiB gzip), one pre-bundled, pre-minified module whose WebSocket
 * client no bundler can drop, and zod and drizzle are another 40 %. Cloudflare's limit is 3 MB
 * (Free) / 10 MB (Paid); what a bigger bundle costs is start-up CPU, which `npm run bench`
 * reports. The budget keeps about 9 KiB of headroom, so a regression still fails CI.
 */
export const BUNDLE_GZIP_BUDGET_BYTES = 160 * KIB

export interface BundleReport {
  command: string
  bytes: number
  gzipBytes: number
  /** Minified bytes each package (or the app's own src/) contributes, largest first. */
  byPackage: { name: string; bytes: number }[]
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  if (match?.[1]) return match[1]
  if (input.startsWith('src/')) return '(app) src/'
  return '(wrangler glue)'
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`wrangler ${args.join(' ')} exited with ${code}:\n${output}`))
    })
  })
}

export interface BuiltBundle {
  /** What `wrangler deploy` would upload: index.js and any module beside it. */
  outdir: string
  command: string
  metafilePath: string
}

/**
 * `wrangler deploy --dry-run --minify --outdir`: the production bundle, nothing uploaded.
 * `minify: false` keeps the names readable, for a CPU profile; `config`, another wrangler
 * config (a bench-only Worker, built the way the app is).
 */
export async function buildBundle(
  outdir: string,
  { minify = true, config }: { minify?: boolean; config?: string } = {},
): Promise<BuiltBundle> {
  const metafilePath = path.join(outdir, '..', `${path.basename(outdir)}.meta.json`)
  const args = ['deploy', '--dry-run', ...(minify ? ['--minify'] : [])]
  args.push('--outdir', outdir, '--metafile', metafilePath)
  if (config) args.push('--config', config)
  await run(args)
  const command = `wrangler ${args.join(' ')}`
    .replaceAll(metafilePath, '<tmp>/meta.json')
    .replaceAll(outdir, '<tmp>')
  return { outdir, command, metafilePath }
}

export function describeBundle(built: BuiltBundle): BundleReport {
  const code = fs.readFileSync(path.join(built.outdir, 'index.js'))
  const meta = JSON.parse(fs.readFileSync(built.metafilePath, 'utf8')) as Metafile
  const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('index.js'))?.[1]
  if (!output) throw new Error('the metafile names no index.js output')
  const sizes = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input)
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput)
  }
  // What no input accounts for: esbuild's module wrappers and helpers.
  const attributed = [...sizes.values()].reduce((total, bytes) => total + bytes, 0)
  sizes.set('(esbuild runtime)', code.length - attributed)
  // Modules uploaded beside the script (the bcrypt WebAssembly) count as much as the script.
  const modules = fs
    .readdirSync(built.outdir)
    .filter((file) => file !== 'index.js' && !/\.(map|json|md)$/.test(file))
    .map((file) => ({ file, content: fs.readFileSync(path.join(built.outdir, file)) }))
  for (const { file, content } of modules) sizes.set(`(module) ${file}`, content.length)
  const files = [code, ...modules.map(({ content }) => content)]
  return {
    command: built.command,
    bytes: files.reduce((total, file) => total + file.length, 0),
    gzipBytes: files.reduce((total, file) => total + zlib.gzipSync(file).length, 0),
    byPackage: [...sizes]
      .map(([name, bytes]) => ({ name, bytes }))
      .filter(({ bytes }) => bytes > 0)
      .sort((a, b) => b.bytes - a.bytes),
  }
}

export async function measureBundle(): Promise<BundleReport> {
  const temp = makeTempDir('bundle-')
  try {
    return describeBundle(await buildBundle(path.join(temp.path, 'out')))
  } finally {
    temp.remove()
  }
}

export const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`

export function bundleTable(report: BundleReport): string {
  const rows = report.byPackage.map(
    ({ name, bytes }) =>
      `| ${name} | ${kib(bytes)} | ${((100 * bytes) / report.bytes).toFixed(1)}% |`,
  )
  return [
    '| package | minified | share |',
    '|---|---:|---:|',
    ...rows,
    `| **total** | **${kib(report.bytes)}** (gzip ${kib(report.gzipBytes)}) | 100% |`,
  ].join('\n')
}
