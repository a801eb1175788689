/**
 * The product as the bench serves it: the production bundle in workerd, the Neon HTTP driver to
 * neon-local (a process of its own), PostgreSQL behind it. workerd can be restarted with other
 * settings (a bcrypt cost) in front of the same endpoint and data.
 */
import crypto from 'node:crypto'
import path from 'node:path'
import { type CpuMeter, processMeter } from '../cpu'
import { type NeonLocalProcess, startNeonLocalProcess } from './neon-local'
import { startWorkerd, type Workerd, type WorkerSettings } from './workerd'

export interface ProductionStack {
  readonly neonLocal: NeonLocalProcess
  /** The running Worker; replaced by restart(). */
  readonly workerd: Workerd
  readonly url: string
  /** app workerd, neon-local, and PostgreSQL's when the bench has its server to itself. */
  meters(): CpuMeter[]
  /** workerd again with these settings over the defaults; the database stays. */
  restart(vars: Record<string, string>): Promise<void>
  stop(): Promise<void>
}

export async function startProductionStack(options: {
  bundleDir: string
  settings: WorkerSettings
  /** The app's database on a PostgreSQL server; unset: PGlite. */
  databaseUrl: string | undefined
  postgresMeter: CpuMeter | undefined
  workDir: string
  vars: Record<string, string>
}): Promise<ProductionStack> {
  const neonLocal = await startNeonLocalProcess({
    databaseUrl: options.databaseUrl,
    workDir: path.join(options.workDir, 'neon-local'),
  })
  // One signing key for the whole bench: a token issued before a restart stays valid after.
  const secrets = {
    DATABASE_URL: neonLocal.connectionString,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
  }
  let starts = 0
  const launch = (vars: Record<string, string>) =>
    startWorkerd({
      bundleDir: options.bundleDir,
      settings: options.settings,
      vars: { ...options.vars, ...vars, NEON_FETCH_ENDPOINT: neonLocal.endpoint },
      secrets,
      workDir: path.join(options.workDir, `workerd-${++starts}`),
    })
  let workerd: Workerd
  try {
    workerd = await launch({})
  } catch (error) {
    await neonLocal.stop()
    throw error
  }
  return {
    neonLocal,
    get workerd() {
      return workerd
    },
    get url() {
      return workerd.url
    },
    meters: () => [
      processMeter('app workerd', workerd.child.pid),
      processMeter('neon-local (Node)', neonLocal.child.pid),
      ...(options.postgresMeter ? [options.postgresMeter] : []),
    ],
    async restart(vars) {
      await workerd.stop()
      workerd = await launch(vars)
    },
    async stop() {
      await workerd.stop()
      await neonLocal.stop()
    },
  }
}
