/**
 * workerd's inspector for a profiling run: a DevTools-protocol session over its WebSocket
 * (Node 20's, behind --experimental-websocket), and a CPU profile of whatever runs meanwhile.
 */
import type { CpuProfile } from './profile-summary'

const SAMPLING_INTERVAL_US = 100

/** A DevTools-protocol session over the inspector's WebSocket. */
export async function inspect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string
  }[]
  const target = targets[0]?.webSocketDebuggerUrl
  if (!target) throw new Error('workerd lists no inspector target')
  const socket = new WebSocket(target)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  let next = 0
  const pending = new Map<number, (result: unknown) => void>()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = ++next
      socket.send(JSON.stringify({ id, method, params }))
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void))
    },
    close: () => socket.close(),
  }
}

/** A CPU profile of the Worker behind the inspector at `port` while `work` runs. */
export async function profileWhile<T>(
  port: number,
  work: () => Promise<T>,
): Promise<{ profile: CpuProfile; result: T }> {
  if (typeof WebSocket === 'undefined') {
    throw new Error('profiling needs node --experimental-websocket (the npm scripts pass it)')
  }
  const inspector = await inspect(port)
  try {
    await inspector.send('Profiler.enable')
    await inspector.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
    await inspector.send('Profiler.start')
    const result = await work()
    const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop')
    return { profile, result }
  } finally {
    inspector.close()
  }
}
