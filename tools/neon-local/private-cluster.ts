/**
 * A throwaway PostgreSQL cluster of its own (initdb in a temporary directory, a free port, a
 * private socket directory) that a test can stop and start at will without touching any server
 * someone else uses. Test support only.
 */
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../scripts/free-port'

const run = promisify(execFile)

export interface PostgresBinaries {
  /** The directory holding initdb and pg_ctl. */
  bindir: string
  /** initdb refuses to run as root: as root, the cluster is run by this user. */
  runAs: string | undefined
}

export type StopMode = 'fast' | 'immediate'

export interface PrivateCluster {
  /** postgresql://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  readonly url: string
  readonly port: number
  /** Its data directory: postmaster.pid there names the server's process. */
  readonly dataDir: string
  start(): Promise<void>
  /** fast: sessions are ended cleanly; immediate: the server quits as if it crashed. */
  stop(mode: StopMode): Promise<void>
  /** Stops the server if it runs and removes every file; safe to call more than once. */
  destroy(): Promise<void>
}

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * initdb and pg_ctl: PG_BINDIR, else Debian's /usr/lib/postgresql/<newest>/bin (not on PATH
 * there), else PATH. Undefined when there are none.
 */
export function findPostgresBinaries(
  env: NodeJS.ProcessEnv = process.env,
  debian = '/usr/lib/postgresql',
): PostgresBinaries | undefined {
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => path.join(debian, version, 'bin'))
    : []
  const candidates = [env.PG_BINDIR, ...versions, ...(env.PATH ?? '').split(path.delimiter)]
  const bindir = candidates.find(
    (dir): dir is string =>
      !!dir && executable(path.join(dir, 'initdb')) && executable(path.join(dir, 'pg_ctl')),
  )
  if (!bindir) return undefined
  return { bindir, runAs: process.getuid?.() === 0 ? 'postgres' : undefined }
}

function idOf(user: string, flag: '-u' | '-g'): number {
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim())
  } catch {
    throw new Error(
      `running as root needs a '${user}' user to own the test cluster (initdb refuses root)`,
    )
  }
}

export async function createPrivateCluster(binaries: PostgresBinaries): Promise<PrivateCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-cluster-'))
  const dataDir = path.join(dir, 'data')
  const logFile = path.join(dir, 'postgres.log')
  let running = false
  let destroyed: Promise<void> | undefined

  const postgresTool = async (tool: string, args: string[]) => {
    const file = path.join(binaries.bindir, tool)
    const [command, commandArgs] = binaries.runAs
      ? ['runuser', ['-u', binaries.runAs, '--', file, ...args]]
      : [file, args]
    try {
      // cwd: a directory the cluster's user can enter, whoever runs the test.
      await run(command, commandArgs, { cwd: dir, timeout: 90_000 })
    } catch (error) {
      const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string }
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''
      throw new Error(`${tool} ${args.at(-1)} failed: ${stderr || stdout}\n${log}`.trim(), {
        cause: error,
      })
    }
  }

  try {
    if (binaries.runAs) fs.chownSync(dir, idOf(binaries.runAs, '-u'), idOf(binaries.runAs, '-g'))
    // --no-sync: nothing here must survive a crash of the machine, only of PostgreSQL.
    await postgresTool('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ])
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const port = await freePort()
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`

  const cluster: PrivateCluster = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async start() {
      await postgresTool('pg_ctl', [
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        serverOptions,
        '-w',
        '-t',
        '60',
        'start',
      ])
      running = true
    },
    async stop(mode) {
      await postgresTool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'])
      running = false
    },
    destroy() {
      destroyed ??= (async () => {
        try {
          if (running || fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
            await cluster.stop('immediate').catch(() => undefined)
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true })
        }
      })()
      return destroyed
    },
  }
  return cluster
}
