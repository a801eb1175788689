import { describe, expect, it } from 'vitest'
import { DELIBERATE_OUTAGE, dropRunnerDisconnects, RUNNER_DISCONNECT } from './quiet-output.ts'

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

  it('drops what workerd logs of a deliberate outage, and nothing around it', () => {
    const { stream, written } = recordingStream()
    stream.write(
      'exception = kj/async-io-unix.c++:1538: disconnected: connect(): Connection refused\n' +
        'stack: /x/workerd@52008e2 /x/workerd@5200ac5\n',
    )
    stream.write(
      'uncaught exception; source = Uncaught (in promise); stack = Error: Network connection lost.\n',
    )
    stream.write(
      'uncaught exception; exception = workerd/jsg/_virtual_includes/iterator/workerd/jsg/value.h:1480: disconnected: jsg.Error: Network connection lost.\n' +
        'stack: /x/workerd@2f20430\n',
    )
    expect(written).toEqual([])
    const kept = [
      ' ✓ workers src/app.test.ts (12 tests)\n',
      'stack: /x/workerd@52008e2\n',
      'Error: Network connection lost. (while the test expected an answer)\n',
    ]
    for (const line of kept) stream.write(line)
    stream.write(
      'exception = kj/async-io-unix.c++:1538: disconnected: connect(): Connection refused\nFAIL a test\n',
    )
    expect(written).toEqual([...kept, 'FAIL a test\n'])
    expect(DELIBERATE_OUTAGE).toHaveLength(3)
  })
})
