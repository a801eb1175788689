import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { sha256Hex } from '../lib/tokens'
import { clientNetwork } from '../middleware/client-address'
import type { Limit } from '../throttle/queries'

const MINUTE = 60

/**
 * Failed logins, limited without handing strangers a way to lock an owner out (the contract's
 * "Abuse" section). The email and the client's network together are what one guesser at one
 * account holds; the network alone is an office behind one address; the email alone is the
 * account, across every network (the price of bounding a distributed guesser: it can block the
 * owner too, for at most an hour).
 */
export const LOGIN_LIMITS = {
  emailAtNetwork: { maxFailures: 5, windowSeconds: 15 * MINUTE, reserved: true },
  // Counted after the check: a network's correct logins are never refused for another's guesses.
  network: { maxFailures: 20, windowSeconds: 15 * MINUTE, reserved: false },
  email: { maxFailures: 100, windowSeconds: 60 * MINUTE, reserved: true },
} as const

export type LoginLimits = { emailAtNetwork: Limit; network: Limit; email: Limit }

/** The login limits of this email from this client, with their keys. */
export async function loginLimits(c: Context<AppEnv>, email: string): Promise<LoginLimits> {
  const emailHash = await sha256Hex(email)
  const network = clientNetwork(c)
  return {
    emailAtNetwork: { key: `en:${emailHash}:${network}`, ...LOGIN_LIMITS.emailAtNetwork },
    network: { key: `net:${network}`, ...LOGIN_LIMITS.network },
    email: { key: `email:${emailHash}`, ...LOGIN_LIMITS.email },
  }
}

export const allLimits = (limits: LoginLimits): Limit[] => [
  limits.emailAtNetwork,
  limits.network,
  limits.email,
]
