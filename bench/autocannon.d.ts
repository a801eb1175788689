// The part of autocannon 9's API the bench uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface RequestSpec {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    /** Called before every request when present, so each one can differ. */
    setupRequest?: (request: RequestSpec, context: Record<string, unknown>) => RequestSpec
  }

  export interface Options {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Seconds before a request counts as timed out. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: RequestSpec[]
  }

  /**
   * What autocannon reports when it runs outside Node's main thread: counters and encoded
   * histograms, not the aggregated summary.
   */
  export interface RawResult {
    totalCompletedRequests: number
    totalRequests: number
    errors: number
    timeouts: number
    non2xx: number
    resets: number
    statusCodeStats: Record<string, { count: number }>
    /** Seconds, to two decimals. */
    duration: number
  }

  export interface Instance extends EventEmitter {
    stop(): void
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, milliseconds: number) => void,
    ): this
    on(event: 'reqError', listener: (error: Error) => void): this
  }

  function autocannon(
    options: Options,
    callback: (error: Error | null, result: RawResult) => void,
  ): Instance

  export default autocannon
}
