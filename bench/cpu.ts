/**
 * CPU time of the workerd process that runs the Worker, read from /proc (Linux), so the bench
 * can report the runtime's CPU per request: unlike latency, it barely moves when other processes
 * share the machine.
 */
import fs from 'node:fs'

// USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux that Node supports.
const TICKS_PER_SECOND = 100

function stat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * The workerd in `processGroup` that runs the user Worker: wrangler dev starts two, and only the
 * user Worker's is started with an inspector.
 */
export function findUserWorkerd(processGroup: number | undefined): number | undefined {
  if (processGroup === undefined || !fs.existsSync('/proc')) return undefined
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = stat(Number(entry))
    // Fields from the state on: state, ppid, pgrp, ...
    if (!fields || Number(fields[2]) !== processGroup) continue
    let args: string[]
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    if (args[0]?.endsWith('workerd') && args.some((arg) => arg.startsWith('--inspector-addr'))) {
      return Number(entry)
    }
  }
  return undefined
}

/** User plus system CPU milliseconds the process has used so far. */
export function cpuMilliseconds(pid: number): number | undefined {
  const fields = stat(pid)
  if (!fields) return undefined
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
}
