/**
 * Stopping what `npm run dev` started: wrangler runs in a process group of its own, which a
 * signal reaches whole, and a reaper process stops that group if this one dies first.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { Socket } from 'node:net'

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

// Runs in its own process and holds the read end of a pipe from this one. The pipe closes when
// this process ends, however it ends (tsx turns a signal into SIGKILL when its child is busy for
// a few milliseconds, as during PGlite's start-up or a long query): the reaper then stops
// wrangler's process group, so nothing wrangler started can outlive `npm run dev`.
const REAPER = `
const pgid = Number(process.argv[1])
const alive = () => { try { process.kill(-pgid, 0); return true } catch { return false } }
const kill = (signal) => { try { process.kill(-pgid, signal) } catch {} }
process.stdin.resume()
process.stdin.on('close', () => {
  if (!alive()) process.exit(0)
  kill('SIGTERM')
  const started = Date.now()
  setInterval(() => {
    if (!alive()) process.exit(0)
    if (Date.now() - started > 3000) { kill('SIGKILL'); process.exit(0) }
  }, 100)
})
`

export function startReaper(pgid: number): ChildProcess {
  const reaper = spawn(process.execPath, ['-e', REAPER, String(pgid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  reaper.on('error', () => undefined)
  // Neither the reaper nor its pipe may keep this process running.
  reaper.unref()
  ;(reaper.stdin as Socket | null)?.unref()
  return reaper
}
