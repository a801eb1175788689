/**
 * The start-up behind `npm run dev`, shared with `npm run bench`: the database (neon-local in
 * front of PGlite or a PostgreSQL server, or Neon itself), migrations, .dev.vars and secrets,
 * the local mailbox, `wrangler dev` in its own process group, and a shutdown that leaves
 * nothing running.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Mailbox, startMailbox } from '../tools/mailbox/index'
import {
  endpointFileFor,
  removeEndpointFile,
  writeEndpointFile,
} from '../tools/neon-local/endpoint-file'
import {
  describeDatabaseUrl,
  isNeonHost,
  isPostgresUrl,
  type NeonLocal,
  redactPassword,
  startNeonLocal,
} from '../tools/neon-local/index'
import { migrate } from '../tools/neon-local/migrate'
import { hasOption, optionValue } from './cli-options'
import { checkDevPorts, type PortHint } from './dev-ports'
import { checkDevSecret, devVarsPath, ensureDevVars, secretArgs } from './dev-settings'
import { migrationsFolder, repoRoot } from './paths'
import { killGroup, startReaper } from './process-group'

const defaultSecretsEnvPath = path.join(repoRoot, '.wrangler', 'neon-local', 'dev-secrets.env')
const wranglerBin = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
// Time wrangler gets to stop workerd after a signal before its whole group is killed.
const STOP_GRACE_MS = 5000
// Lines of wrangler's output kept when it is captured rather than shown.
const CAPTURED_LINES = 200

export interface DevServerOptions {
  /**
   * A postgresql:// URL. On *.neon.tech it is used directly; any other server is put behind a
   * local Neon endpoint. Unset: embedded PGlite in `pgliteDataDir`.
   */
  databaseUrl?: string | undefined
  /** PGlite's data directory, used when databaseUrl is unset. */
  pgliteDataDir: string
  /** Where wrangler dev listens, unless `wranglerArgs` already says. */
  host: string
  port: number | string
  /** The local Neon endpoint's port; 0 for any free one. */
  neonLocalPort?: number
  /** Says how to choose another port when the app's is taken; checked before anything starts. */
  portHint?: PortHint
  /** The local mailbox's port (127.0.0.1); 0 or absent for any free one. */
  mailboxPort?: number
  /**
   * Says how to choose another mailbox port when `mailboxPort` is taken. Without it, a taken
   * `mailboxPort` is a default, and any free port is used instead.
   */
  mailboxPortHint?: PortHint
  /** Plain settings for the Worker (`--var`), over wrangler.toml and .dev.vars. */
  vars?: Record<string, string>
  /** Secret settings for the Worker, passed in an owner-only file, never on a command line. */
  secrets?: Record<string, string>
  /** More arguments for `wrangler dev` (say `--config`, `--log-level`). */
  wranglerArgs?: string[]
  /** Where the secrets file goes; two servers at once need two. */
  secretsEnvPath?: string
  /** 'capture' keeps wrangler's recent output for `recentOutput()` instead of printing it. */
  output?: 'inherit' | 'capture'
  log?: (message: string) => void
}

export interface RunningDevServer {
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string
  /** The local Neon endpoint, with its round-trip counter; undefined when talking to Neon. */
  readonly neonLocal: NeonLocal | undefined
  /** The local mailbox, e.g. http://127.0.0.1:41235/: the outbox's messages, newest first. */
  readonly mailboxUrl: string
  /** wrangler's process id, which is also the id of the process group of all it started. */
  readonly processGroup: number | undefined
}

export interface DevServer {
  /** Resolves once wrangler has been started (it may not answer yet); rejects if it never is. */
  readonly started: Promise<RunningDevServer>
  /** Resolves with wrangler's exit code once it has exited and the database is closed. */
  readonly exited: Promise<number>
  /**
   * Asks wrangler's process group to stop, and kills it after a grace period. False while the
   * database is still starting: the stop then happens once it is ready, since stopping PGlite
   * half-way through start-up could leave its files half-written.
   */
  stop(signal?: NodeJS.Signals): boolean
  /** Kills wrangler's process group at once; false if wrangler is not running yet. */
  kill(): boolean
  /** The last lines wrangler printed, when its output is captured. */
  recentOutput(): string
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code
  return signal ? 128 + (os.constants.signals[signal] ?? 0) : 1
}

function reportMigrations(log: (message: string) => void) {
  return (result: { applied: number; migrations: string[] }) =>
    log(
      result.applied === 0
        ? 'migrations: up to date'
        : `migrations: applied ${result.migrations.join(', ')}`,
    )
}

export function startDevServer(options: DevServerOptions): DevServer {
  const log = options.log ?? ((message: string) => console.log(`[dev] ${message}`))
  const secretsEnvPath = options.secretsEnvPath ?? defaultSecretsEnvPath
  const extraArgs = options.wranglerArgs ?? []
  const host = optionValue(extraArgs, '--ip') ?? options.host
  const port = optionValue(extraArgs, '--port') ?? String(options.port)
  const { databaseUrl } = options
  const captured: string[] = []
  let partialLine = ''

  let local: NeonLocal | undefined
  let mailbox: Mailbox | undefined
  let endpointFile: string | undefined
  let child: ChildProcess | undefined
  let reaper: ChildProcess | undefined
  let stopRequested: NodeJS.Signals | undefined
  let resolveStarted: (server: RunningDevServer) => void = () => undefined
  let rejectStarted: (error: unknown) => void = () => undefined
  const started = new Promise<RunningDevServer>((resolve, reject) => {
    resolveStarted = resolve
    rejectStarted = reject
  })
  // Callers that only wait for `exited` (the CLI) must not see this as an unhandled rejection.
  started.catch(() => undefined)

  const capture = (chunk: Buffer) => {
    const lines = (partialLine + chunk.toString('utf8')).split('\n')
    partialLine = lines.pop() ?? ''
    captured.push(...lines)
    if (captured.length > CAPTURED_LINES) captured.splice(0, captured.length - CAPTURED_LINES)
  }

  const run = async (): Promise<number> => {
    if (databaseUrl && !isPostgresUrl(databaseUrl)) {
      throw new Error('DATABASE_URL must be a postgresql:// connection string')
    }
    const mailboxPort = await checkDevPorts({
      host,
      port,
      portHint: options.portHint,
      mailboxPort: options.mailboxPort ?? 0,
      mailboxPortHint: options.mailboxPortHint,
      log,
    })
    ensureDevVars(log)
    checkDevSecret(options.secrets ?? {}, devVarsPath)
    const vars: Record<string, string> = {}
    const secrets: Record<string, string> = {}
    // What the Worker gets as DATABASE_URL, and the mailbox reads.
    let workerDatabaseUrl: string
    if (databaseUrl && isNeonHost(databaseUrl)) {
      log(`database: Neon ${describeDatabaseUrl(databaseUrl)} (no local endpoint)`)
      await migrate({ databaseUrl, migrationsFolder }).then(reportMigrations(log))
      workerDatabaseUrl = databaseUrl
      // Blank, so a local endpoint left in .dev.vars cannot capture the Worker's Neon traffic.
      vars.NEON_FETCH_ENDPOINT = ''
    } else {
      local = await startNeonLocal({
        ...(databaseUrl ? { databaseUrl } : { pgliteDataDir: options.pgliteDataDir }),
        port: options.neonLocalPort ?? 0,
        log: (message) => log(`neon-local: ${message}`),
      })
      // The connection string carries the endpoint's per-run secret: it is never logged.
      log(`database: ${local.backend}, Neon endpoint ${local.endpoint}`)
      if (stopRequested) return exitCodeOf(null, stopRequested)
      await migrate({
        databaseUrl: local.connectionString,
        fetchEndpoint: local.endpoint,
        migrationsFolder,
      }).then(reportMigrations(log))
      if (!databaseUrl) {
        // PGlite serves this process only; `npm run db:sql` finds the way in through this file.
        endpointFile = endpointFileFor(options.pgliteDataDir)
        writeEndpointFile(endpointFile, {
          endpoint: local.endpoint,
          connectionString: local.connectionString,
          backend: local.backend,
          pid: process.pid,
        })
      }
      vars.NEON_FETCH_ENDPOINT = local.endpoint
      workerDatabaseUrl = local.connectionString
    }
    // A secret: through the owner-only env file, not `--var` (seen in `ps`, and printed by
    // wrangler among the bindings).
    secrets.DATABASE_URL = workerDatabaseUrl
    if (stopRequested) return exitCodeOf(null, stopRequested)
    // The same database the Worker uses, read through the same driver and endpoint.
    mailbox = await startMailbox({
      connectionString: workerDatabaseUrl,
      fetchEndpoint: local?.endpoint,
      port: mailboxPort,
    })
    Object.assign(vars, options.vars)
    Object.assign(secrets, options.secrets)

    const args = [wranglerBin, 'dev']
    if (!hasOption(extraArgs, '--ip')) args.push('--ip', options.host)
    if (!hasOption(extraArgs, '--port')) args.push('--port', String(options.port))
    // The caller's arguments come before ours: `--var` takes several values and would swallow a
    // positional script path placed after it.
    args.push(...extraArgs)
    for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`)
    args.push(...secretArgs(secrets, secretsEnvPath))

    // Its own process group, so wrangler, its runtime (workerd) and anything else it starts can
    // be stopped together. Without a terminal to read, wrangler skips its hotkeys, which in a
    // background process group would stop it (SIGTTIN).
    const output = options.output === 'capture' ? 'pipe' : 'inherit'
    const wrangler = spawn(process.execPath, args, {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', output, output],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    })
    child = wrangler
    wrangler.stdout?.on('data', capture)
    wrangler.stderr?.on('data', capture)
    if (wrangler.pid !== undefined) reaper = startReaper(wrangler.pid)
    resolveStarted({
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      neonLocal: local,
      mailboxUrl: mailbox.url,
      processGroup: wrangler.pid,
    })
    return new Promise<number>((resolve, reject) => {
      wrangler.once('error', reject)
      wrangler.once('exit', (code, signal) => {
        // Nothing it started may outlive it.
        killGroup(wrangler, 'SIGKILL')
        resolve(exitCodeOf(code, signal))
      })
    })
  }

  const exited = (async () => {
    try {
      return await run()
    } catch (error) {
      // Nothing reports the endpoint's secret, but an error message must not be the first.
      if (local && error instanceof Error) {
        error.message = redactPassword(error.message, local.connectionString)
      }
      throw error
    } finally {
      if (child) killGroup(child, 'SIGKILL')
      reaper?.kill()
      await mailbox?.close()
      fs.rmSync(secretsEnvPath, { force: true })
      if (endpointFile) removeEndpointFile(endpointFile)
      await local?.close()
    }
  })()
  exited.then(
    () => rejectStarted(new Error('the dev server stopped before wrangler started')),
    rejectStarted,
  )

  return {
    started,
    exited,
    stop(signal = 'SIGTERM') {
      stopRequested ??= signal
      if (!child) return false
      const running = child
      killGroup(running, signal)
      setTimeout(() => killGroup(running, 'SIGKILL'), STOP_GRACE_MS).unref()
      return true
    },
    kill() {
      if (!child) return false
      killGroup(child, 'SIGKILL')
      return true
    },
    recentOutput: () => [...captured, partialLine].join('\n').trim(),
  }
}
