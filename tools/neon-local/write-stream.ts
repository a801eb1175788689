/**
 * A steady stream of single-row inserts through the real driver, for the outage test: which ids
 * were acknowledged (the driver resolved, so the endpoint answered 2xx), and what every answer
 * on the wire was (status, Retry-After). Test support only.
 */
import { type NeonQueryFunction, neonConfig } from '@neondatabase/serverless'

export interface WriteStreamFigures {
  /** HTTP requests sent to the endpoint. */
  requests: number
  ok: number
  unavailable: number
  unavailableWithoutRetryAfter: number
  /** Distinct Retry-After values seen on 503s. */
  retryAfterValues: string[]
  /** Anything but 2xx and 503: statuses, or errors before any answer. */
  otherFailures: string[]
}

export interface WriteStream {
  /** Ids whose insert was acknowledged, in order. */
  readonly acknowledged: number[]
  readonly figures: WriteStreamFigures
  /** When the latest acknowledgement arrived (ms since the epoch), 0 before the first. */
  readonly lastAckAt: number
  /** When the first acknowledgement after `time` arrived; NaN if none has. */
  firstAckAfter(time: number): number
  /** Lets the writers finish their current request and stop. */
  stop(): Promise<void>
}

export function startWriteStream(
  sql: NeonQueryFunction<false, false>,
  options: { writers: number; maxRequests: number; pauseAfterFailureMs?: number },
): WriteStream {
  const figures: WriteStreamFigures = {
    requests: 0,
    ok: 0,
    unavailable: 0,
    unavailableWithoutRetryAfter: 0,
    retryAfterValues: [],
    otherFailures: [],
  }
  const acknowledged: number[] = []
  const ackTimes: number[] = []
  let nextId = 1
  let stopping = false

  // Every answer as it came over the wire; the driver keeps only the status in its message.
  const previousFetch = neonConfig.fetchFunction
  neonConfig.fetchFunction = async (input: RequestInfo | URL, init?: RequestInit) => {
    figures.requests++
    const response = await fetch(input, init)
    if (response.ok) {
      figures.ok++
    } else if (response.status === 503) {
      figures.unavailable++
      const retryAfter = response.headers.get('retry-after')
      if (retryAfter === null) figures.unavailableWithoutRetryAfter++
      else if (!figures.retryAfterValues.includes(retryAfter))
        figures.retryAfterValues.push(retryAfter)
    } else {
      figures.otherFailures.push(`HTTP ${response.status}`)
    }
    return response
  }

  const writer = async (writerId: number) => {
    while (!stopping && figures.requests < options.maxRequests) {
      const id = nextId++
      try {
        await sql`INSERT INTO outage_writes (id, writer) VALUES (${id}, ${writerId})`
        acknowledged.push(id)
        ackTimes.push(Date.now())
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        // Answers with a status were counted from the wire; anything else is worth seeing.
        if (!message.startsWith('Server error (HTTP status')) {
          figures.otherFailures.push(message.slice(0, 200))
        }
        await new Promise((resolve) => setTimeout(resolve, options.pauseAfterFailureMs ?? 25))
      }
    }
  }
  const running = Promise.all(Array.from({ length: options.writers }, (_, index) => writer(index)))

  return {
    acknowledged,
    figures,
    get lastAckAt() {
      return ackTimes.at(-1) ?? 0
    },
    firstAckAfter(time) {
      return ackTimes.find((at) => at > time) ?? Number.NaN
    },
    async stop() {
      stopping = true
      await running
      neonConfig.fetchFunction = previousFetch
    },
  }
}
