/**
 * The production bundle served by workerd itself, as Cloudflare runs it: one process, the
 * Worker's socket answered by the Worker, no wrangler proxy in front, no inspector, nothing
 * reading its console over a debugging protocol. The config is generated from wrangler.toml
 * (compatibility, [vars], rate limits) and the bundle `wrangler deploy --dry-run --outdir`
 * wrote; the rate limit bindings run Miniflare's own in-memory implementation, as in
 * `wrangler dev` and the tests.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../scripts/free-port'
import { repoRoot } from '../../scripts/paths'
import { answers, type Child, startChild, waitUntil } from './child'

const run = promisify(execFile)

/**
 * The platform's workerd binary itself, as the `workerd` package names it: node_modules/.bin's
 * `workerd` is a Node script that starts it as a child (its install script, which would swap in
 * the binary, is not allowed to run), and /proc would then show the script's CPU, not workerd's.
 */
const workerdBin: string = createRequire(import.meta.url)('workerd').default
const ratelimitModule = path.join(
  repoRoot,
  'node_modules/miniflare/dist/src/workers/ratelimit/ratelimit.worker.js',
)
const RATELIMIT_MODULE_NAME = 'bench-internal:ratelimit'

/** What wrangler.toml says the Worker runs with. */
export interface WorkerSettings {
  compatibilityDate: string
  compatibilityFlags: string[]
  vars: Record<string, string>
  ratelimits: { name: string; limit: number; period: number }[]
}

// wrangler's own reader, in a process of its own: once imported, wrangler answers Ctrl-C with
// process.exit(), which would cut the bench's clean-up short.
const READ_CONFIG = `
const { unstable_readConfig } = await import('wrangler')
const c = unstable_readConfig({ config: 'wrangler.toml' })
process.stdout.write('\\n' + JSON.stringify({
  compatibilityDate: c.compatibility_date,
  compatibilityFlags: c.compatibility_flags,
  vars: c.vars,
  ratelimits: c.ratelimits.map((r) => ({ name: r.name, limit: r.simple.limit, period: r.simple.period })),
}))
`

export async function readWorkerSettings(): Promise<WorkerSettings> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', READ_CONFIG], {
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  })
  const settings = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as WorkerSettings
  for (const [name, value] of Object.entries(settings.vars)) {
    if (typeof value !== 'string') throw new Error(`[vars] ${name} is not a string`)
  }
  return settings
}

/** A Cap'n Proto text literal; only printable ASCII, so no escape can be misread. */
function text(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error('a workerd setting must be printable ASCII')
  return JSON.stringify(value)
}

const MODULE_KINDS: Record<string, string> = {
  '.js': 'esModule',
  '.mjs': 'esModule',
  '.cjs': 'commonJsModule',
  '.wasm': 'wasm',
  '.bin': 'data',
  '.txt': 'text',
  '.html': 'text',
}

/**
 * The entry first (index.js, or the one script wrangler wrote for another entry), then every
 * module wrangler wrote beside it.
 */
function bundleModules(bundleDir: string): { name: string; kind: string }[] {
  const names = fs
    .readdirSync(bundleDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => fs.statSync(path.join(bundleDir, name)).isFile())
    .filter((name) => !name.endsWith('.map') && name !== 'README.md')
  const scripts = names.filter((name) => !name.includes(path.sep) && name.endsWith('.js'))
  const entry = names.includes('index.js')
    ? 'index.js'
    : scripts.length === 1
      ? scripts[0]
      : undefined
  if (!entry) throw new Error(`${bundleDir} holds no index.js`)
  return [entry, ...names.filter((name) => name !== entry).sort()].map((name) => {
    const kind = MODULE_KINDS[path.extname(name)]
    if (!kind) throw new Error(`the bundle holds ${name}, of a kind this bench cannot serve`)
    return { name, kind }
  })
}

export interface WorkerdOptions {
  /** A directory of modules, index.js the entry: the bundle, or a bench-only Worker. */
  bundleDir: string
  settings: WorkerSettings
  /** Plain settings over wrangler.toml's [vars]. */
  vars?: Record<string, string>
  /** Secret settings; they go only to the config file, which only this user can read. */
  secrets?: Record<string, string>
  /** Where the config and a copy of the modules go; removed by the caller. */
  workDir: string
  /** An inspector, for a profiling run only: the bench itself never has one. */
  inspectorPort?: number
}

export interface Workerd {
  readonly url: string
  /** Set when started with one, for a profiling run. */
  readonly inspectorPort: number | undefined
  readonly child: Child
  stop(): Promise<void>
}

export function writeWorkerdConfig(options: WorkerdOptions, port: number): string {
  const { settings, workDir } = options
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 })
  const modules = bundleModules(options.bundleDir)
  for (const { name } of modules) {
    fs.mkdirSync(path.dirname(path.join(workDir, 'modules', name)), { recursive: true })
    fs.copyFileSync(path.join(options.bundleDir, name), path.join(workDir, 'modules', name))
  }
  fs.copyFileSync(ratelimitModule, path.join(workDir, 'ratelimit.js'))
  const values = { ...settings.vars, ...options.vars, ...options.secrets }
  const bindings = [
    ...Object.entries(values).map(
      ([name, value]) => `(name = ${text(name)}, text = ${text(value)})`,
    ),
    ...settings.ratelimits.map(
      ({ name, limit, period }) =>
        `(name = ${text(name)}, wrapped = (moduleName = "${RATELIMIT_MODULE_NAME}", innerBindings = [` +
        `(name = "namespaceId", json = ${text(JSON.stringify(name))}), ` +
        `(name = "limit", json = "${limit}"), (name = "period", json = "${period}")]))`,
    ),
  ]
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "app", worker = .app),
    # The Worker reaches neon-local on 127.0.0.1, which workerd's default network refuses.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "app")],
  extensions = [(modules = [
    (name = "${RATELIMIT_MODULE_NAME}", esModule = embed "ratelimit.js", internal = true),
  ])],
);
const app :Workerd.Worker = (
  modules = [
${modules.map(({ name, kind }) => `    (name = ${text(name)}, ${kind} = embed ${text(`modules/${name}`)}),`).join('\n')}
  ],
  compatibilityDate = ${text(settings.compatibilityDate)},
  compatibilityFlags = [${settings.compatibilityFlags.map(text).join(', ')}],
  bindings = [
${bindings.map((binding) => `    ${binding},`).join('\n')}
  ],
);
`
  const configPath = path.join(workDir, 'config.capnp')
  fs.writeFileSync(configPath, config, { mode: 0o600 })
  return configPath
}

/** Starts workerd on a free port; resolves once `ready` holds (by default: GET / answers). */
export async function startWorkerd(
  options: WorkerdOptions,
  ready: (url: string) => Promise<boolean> = (url) => answers(`${url}/`),
): Promise<Workerd> {
  const port = await freePort()
  const configPath = writeWorkerdConfig(options, port)
  const args = ['serve', configPath]
  if (options.inspectorPort !== undefined) {
    args.push(`--inspector-addr=127.0.0.1:${options.inspectorPort}`)
  }
  const child = startChild('workerd', workerdBin, args, { cwd: options.workDir })
  const url = `http://127.0.0.1:${port}`
  await waitUntil(child, 'ready', () => ready(url))
  return { url, inspectorPort: options.inspectorPort, child, stop: () => child.stop() }
}
