/**
 * A server process the bench starts (workerd, neon-local, the old service): its own process
 * group, so a stop reaches everything it started, a reaper that stops that group if the bench
 * dies first, and its recent output kept for the error message when it does not come up.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { exitCodeOf } from '../../scripts/dev-server'
import { killGroup, startReaper } from '../../scripts/process-group'
import { sleep } from '../settings'

const KEPT_LINES = 100
// Time a server gets to stop by itself after SIGTERM before its group is killed.
const STOP_GRACE_MS = 5000

export interface Child {
  readonly name: string
  readonly pid: number
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number>
  isRunning(): boolean
  recentOutput(): string
  /** SIGTERM to the group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>
}

export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Child {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`)
  const pid = child.pid
  const reaper = startReaper(pid)
  const lines: string[] = []
  let partial = ''
  const keep = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n')
    partial = parts.pop() ?? ''
    lines.push(...parts)
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let running = true
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => {
      running = false
      resolve(127)
    })
    child.once('exit', (code, signal) => {
      running = false
      // Nothing it started may outlive it.
      killGroup(child, 'SIGKILL')
      reaper.kill()
      resolve(exitCodeOf(code, signal))
    })
  })
  let stopping: Promise<void> | undefined
  return {
    name,
    pid,
    exited,
    isRunning: () => running,
    recentOutput: () => [...lines, partial].join('\n').trim(),
    stop() {
      stopping ??= (async () => {
        if (!running) return
        killGroup(child, 'SIGTERM')
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(timer)
      })()
      return stopping
    },
  }
}

/** Polls `ready` until it holds; fails with the child's output if it exits or time runs out. */
export async function waitUntil(
  child: Child,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!child.isRunning()) break
    if (await ready().catch(() => false)) return
    await sleep(100)
  }
  const state = child.isRunning() ? `not ${what} after ${timeoutMs / 1000} s` : 'exited'
  await child.stop()
  throw new Error(`${child.name} ${state}:\n${child.recentOutput()}`)
}

/** True once something answers HTTP at `url` (any status). */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url)
    await response.arrayBuffer()
    return true
  } catch {
    return false
  }
}
