/**
 * CPU time of the processes on a request's path, read from /proc (Linux), so the bench can
 * report each one's CPU per request: unlike latency, it barely moves when other processes share
 * the machine.
 */
import fs from 'node:fs'

// USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux that Node supports.
const TICKS_PER_SECOND = 100

/** The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ... */
function stat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND

/** User plus system CPU milliseconds the process has used so far. */
export function cpuMilliseconds(pid: number): number | undefined {
  const fields = stat(pid)
  if (!fields) return undefined
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return ticksToMs(Number(fields[11]) + Number(fields[12]))
}

/**
 * CPU milliseconds of all the process's live threads, from the scheduler's nanosecond counters
 * (/proc/<pid>/task/<tid>/schedstat): precise where 10 ms ticks are too coarse, as for a start-up,
 * but blind to threads that have ended.
 */
export function preciseCpuMilliseconds(pid: number): number | undefined {
  let threads: string[]
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return undefined
  }
  let nanoseconds = 0
  for (const thread of threads) {
    try {
      nanoseconds += Number(
        fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0],
      )
    } catch {
      // ended between the listing and the read
    }
  }
  return nanoseconds / 1e6
}

/** A process (or a set of them) whose CPU the bench reads before and after each run. */
export interface CpuMeter {
  /** What the figure covers, for the report: "app workerd", "neon-local (Node)", ... */
  readonly label: string
  /** CPU milliseconds used so far; undefined once it cannot be read. */
  read(): number | undefined
}

export const processMeter = (label: string, pid: number): CpuMeter => ({
  label,
  read: () => cpuMilliseconds(pid),
})

function childrenOf(parent: number): number[] {
  const children: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    if (Number(stat(Number(entry))?.[1]) === parent) children.push(Number(entry))
  }
  return children
}

/**
 * A server that forks a process per connection (PostgreSQL's postmaster): its own CPU, its live
 * children's, and what its children that have ended used (cutime and cstime, counted once the
 * postmaster has reaped them). Every process of the server counts, the background ones too, so
 * it measures a server the bench has to itself.
 */
export const processTreeMeter = (label: string, root: number): CpuMeter => ({
  label,
  read() {
    const fields = stat(root)
    if (!fields) return undefined
    // cutime and cstime follow utime and stime.
    let ticks = fields.slice(11, 15).reduce((total, value) => total + Number(value), 0)
    for (const child of childrenOf(root)) {
      const childFields = stat(child)
      if (childFields) ticks += Number(childFields[11]) + Number(childFields[12])
    }
    return ticksToMs(ticks)
  },
})

/**
 * The bench's own process, where autocannon runs (in a worker thread): the load generator's
 * share of the machine, the same for every stack it loads.
 */
export const ownProcessMeter = (label: string): CpuMeter => ({
  label,
  read() {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1000
  },
})
