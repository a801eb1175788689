/**
 * Password reset requests for an email that has an account and for one that has none. Both
 * must answer 202 with the same body after the same work (2 round trips: the limits, then the
 * one statement that writes a token and its email only if the account is there), so that
 * neither the answer nor its time tells whether an account exists.
 *
 * Limits: every request comes from a /64 of its own (10 an hour per network) and asks for an
 * email no other request of the bench asks for (3 an hour per email): a known one from a pool
 * that no run takes an account of twice and that grows ahead of the runs (ResetAccounts), an
 * unknown one made up per request. So every answer is a counted request's 202, and a 429 is
 * counted as unexpected.
 */
import type { LoadResult } from '../load'
import type { AccountSource, Scenario } from '../measure'
import {
  type AccountPool,
  type NeonLocal,
  POOL_ACCOUNTS,
  resetWritesFor,
  seedAccountPool,
} from '../seed'
import { log } from '../settings'

const PATH = '/v1/auth/password-reset'

export const KNOWN = 'password reset, known email'
export const UNKNOWN = 'password reset, unknown email'

/** Requests a second assumed before a run has shown the rate: above any this stack has reached. */
const FIRST_RATE = 1000
/** A reservation holds this many times the fastest run's rate so far. */
const MARGIN = 2

/**
 * Accounts `reset.<run>.<i>@example.com`, handed out in order, each to one request of the
 * bench: a run reserves enough for its length at twice the fastest rate seen, the pool grows
 * first when it has fewer left, and the run then takes as many as it built requests.
 */
export class ResetAccounts implements AccountSource {
  private next = 0
  private peakRate: number | undefined
  private answered = 0
  private sent = 0

  private constructor(
    private readonly local: NeonLocal,
    private pool: AccountPool,
    private readonly cost: number,
    readonly unknownPrefix: string,
  ) {}

  static async seed(local: NeonLocal, runTag: string, cost: number): Promise<ResetAccounts> {
    const pool = await seedAccountPool(local, {
      prefix: `reset.${runTag}.`,
      name: 'Bench Reset',
      cost,
    })
    return new ResetAccounts(local, pool, cost, `nobody.${runTag}.`)
  }

  get prefix(): string {
    return this.pool.prefix
  }

  async reserve(seconds: number, connections: number): Promise<number> {
    const need = Math.ceil(MARGIN * (this.peakRate ?? FIRST_RATE) * seconds) + connections
    const missing = this.next + need - this.pool.count
    if (missing > 0) {
      this.pool = await seedAccountPool(this.local, {
        prefix: this.pool.prefix,
        name: 'Bench Reset',
        cost: this.cost,
        from: this.pool.count,
        count: Math.max(missing, POOL_ACCOUNTS),
      })
      log(`password reset accounts: ${this.pool.count}`)
    }
    return this.next
  }

  used(load: LoadResult, seconds: number): void {
    this.next += load.built
    if (this.next > this.pool.count) {
      // Past the pool the emails have no account: the run measured unknown emails as known.
      throw new Error(
        `a password reset run built ${load.built} requests, past the ${this.pool.count} accounts of its pool`,
      )
    }
    this.peakRate = Math.max(this.peakRate ?? 0, load.built / seconds)
    this.answered += load.statuses['202'] ?? 0
    this.sent += load.sent
  }

  /**
   * Fails unless every known email's 202 wrote a token and its email (a request still in
   * flight when a run ended may have written one too), and no unknown email's request wrote
   * anything.
   */
  async check(): Promise<void> {
    const known = await resetWritesFor(this.local, this.pool.prefix)
    if (known.tokens !== known.emails || known.tokens < this.answered || known.tokens > this.sent) {
      throw new Error(
        `password reset, known emails: ${known.tokens} tokens and ${known.emails} emails for ${this.answered} answers of ${this.sent} requests sent`,
      )
    }
    const unknown = await resetWritesFor(this.local, this.unknownPrefix)
    if (unknown.tokens !== 0 || unknown.emails !== 0) {
      throw new Error(
        `password reset, unknown emails: ${unknown.tokens} tokens and ${unknown.emails} emails written`,
      )
    }
  }
}

export function passwordResetScenarios(connections: number, accounts: ResetAccounts): Scenario[] {
  const reset = (name: string, body: Scenario['body']): Scenario => ({
    name,
    method: 'POST',
    path: PATH,
    body,
    freshAddress: true,
    expectedStatus: 202,
    connections,
  })
  return [
    { ...reset(KNOWN, { kind: 'password-reset', prefix: accounts.prefix, offset: 0 }), accounts },
    reset(UNKNOWN, { kind: 'password-reset-unknown', prefix: accounts.unknownPrefix }),
  ]
}
