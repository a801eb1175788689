/**
 * For the scripts' tests: runs one as `npm run` does (its own Node process, tsx), with exactly
 * the database settings given, so a test never reaches the developer's own database.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './paths'

export type ScriptResult = { code: number | null; stdout: string; stderr: string }

/** Where the script's database is: DATABASE_URL, or the embedded one in `pgliteDataDir`. */
export type ScriptDatabase = { databaseUrl: string } | { pgliteDataDir: string }

export function scriptEnv(database: ScriptDatabase, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete env.DATABASE_URL
  delete env.TEST_DATABASE_URL
  delete env.PGLITE_DATA_DIR
  if ('databaseUrl' in database) env.DATABASE_URL = database.databaseUrl
  else env.PGLITE_DATA_DIR = database.pgliteDataDir
  return env
}

export function runScript(
  script: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('scripts', script), ...args],
      {
        cwd: repoRoot,
        env: options.env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}
