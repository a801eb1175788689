import { describe, expect, it } from 'vitest'
import { dropRunnerDisconnects, RUNNER_DISCONNECT } from './quiet-output.ts'

function recordingStream() {
  const written: string[] = []
  const stream = {
    write(chunk: unknown, callback?: () => void) {
      written.push(String(chunk))
      callback?.()
      return true
    },
  } as unknown as NodeJS.WriteStream
  dropRunnerDisconnects(stream)
  return { stream, written }
}

const DISCONNECT =
  'exception = workerd/api/web-socket.c++:821: disconnected: WebSocket peer disconnected\n'

describe('quiet test output', () => {
  it("drops workerd's line about the pool closing a runner's connection", () => {
    const { stream, written } = recordingStream()
    let called = false
    expect(stream.write(DISCONNECT, () => (called = true))).toBe(true)
    expect(written).toEqual([])
    expect(called).toBe(true)
  })

  it('keeps every other line, the same words with more around them included', () => {
    const { stream, written } = recordingStream()
    const kept = [
      'exception = workerd/api/web-socket.c++:821: disconnected: WebSocket peer disconnected\nstack: 0x1 0x2\n',
      'Error: WebSocket peer disconnected while the test awaited a reply\n',
      ' FAIL  workers src/users/routes.test.ts > registers a user\n',
      'exception = workerd/io/worker.c++:1: uncaught exception; source = Uncaught (in promise)\n',
    ]
    for (const line of kept) stream.write(line)
    expect(written).toEqual(kept)
    expect(RUNNER_DISCONNECT.test(DISCONNECT)).toBe(true)
  })
})
