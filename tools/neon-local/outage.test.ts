/**
 * neon-local (its CLI, in a process of its own, as `npm run dev` runs it) in front of a private
 * PostgreSQL cluster that is stopped and started under a stream of writes sent through the real
 * driver: requests during each outage get 503 with Retry-After, the process lives on, service
 * comes back by itself, and every write that was acknowledged is in the table afterwards.
 * Its figures are printed after the run (test/reporters/figures.ts) and written to
 * test-results/neon-local-outage.json.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { neon, neonConfig } from '@neondatabase/serverless'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { passwordOf } from './access'
import { type EndpointInfo, findRunningEndpoint } from './endpoint-file'
import { RETRY_AFTER_SECONDS } from './index'
import {
  createPrivateCluster,
  findPostgresBinaries,
  type PrivateCluster,
  type StopMode,
} from './private-cluster'
import { startWriteStream, type WriteStream } from './write-stream'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const binaries = findPostgresBinaries()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `done` until it holds, or fails after `ms` with what it was waiting for. */
async function waitFor(what: string, ms: number, done: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

interface CycleFigures {
  shutdown: StopMode
  requestsDuringOutage: number
  unavailable503: number
  secondsDown: number
  secondsToRecoverAfterPostgresReady: number
}

if (!binaries) {
  if (process.env.CI) {
    it('PostgreSQL outage: initdb and pg_ctl are required in CI (install postgresql)', () => {
      throw new Error('no initdb/pg_ctl in PG_BINDIR, /usr/lib/postgresql/*/bin or PATH')
    })
  } else {
    it.skip("PostgreSQL outage: not run, no initdb/pg_ctl found (install Debian's postgresql, or set PG_BINDIR)", () => {})
  }
} else {
  describe('neon-local while its PostgreSQL stops and starts', () => {
    let cluster: PrivateCluster | undefined
    let child: ChildProcess | undefined
    let stream: WriteStream | undefined
    const endpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-outage-'))

    afterAll(async () => {
      await stream?.stop()
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await cluster?.destroy()
      fs.rmSync(endpointDir, { recursive: true, force: true })
    }, 120_000)

    it('answers 503 with Retry-After while it is down, recovers by itself, loses no acknowledged write', async ({
      annotate,
    }) => {
      cluster = await createPrivateCluster(binaries)
      await cluster.start()
      const admin = new pg.Client({ connectionString: cluster.url })
      admin.on('error', () => undefined)
      await admin.connect()
      await admin.query(
        'CREATE TABLE outage_writes (id integer PRIMARY KEY, writer integer NOT NULL)',
      )
      await admin.end()

      // The CLI, as a process of its own: a crash ends it, and that is asserted below.
      const endpointFile = path.join(endpointDir, 'endpoint.json')
      let output = ''
      const cli = spawn(process.execPath, ['--import', 'tsx', 'tools/neon-local/cli.ts'], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: cluster.url, NEON_LOCAL_ENDPOINT_FILE: endpointFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child = cli
      cli.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
      })
      cli.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
      })
      const alive = () => cli.exitCode === null && cli.signalCode === null
      // Every wait fails at once, with what the process said, should neon-local die.
      const waitAlive = (what: string, ms: number, done: () => boolean | Promise<boolean>) =>
        waitFor(what, ms, () => {
          if (!alive()) throw new Error(`neon-local exited while waiting for ${what}:\n${output}`)
          return done()
        })
      let info: EndpointInfo | undefined
      await waitAlive('the neon-local CLI to announce its endpoint', 60_000, async () => {
        info = await findRunningEndpoint(endpointFile)
        return info !== undefined
      })
      if (!info) throw new Error('unreachable')

      neonConfig.fetchEndpoint = info.endpoint
      const writes = startWriteStream(neon(info.connectionString), {
        writers: 4,
        maxRequests: 6000,
      })
      stream = writes
      const cycles: CycleFigures[] = []
      for (const shutdown of ['fast', 'immediate'] as const) {
        const acked = writes.acknowledged.length
        await waitAlive(
          'writes before the stop',
          30_000,
          () => writes.acknowledged.length >= acked + 25,
        )
        const requestsBefore = writes.figures.requests
        const unavailableBefore = writes.figures.unavailable
        const stoppedAt = Date.now()
        await cluster.stop(shutdown)
        // Some time down, with enough requests refused to show what they got.
        await waitAlive(
          '503s during the outage',
          30_000,
          () => writes.figures.unavailable >= unavailableBefore + 10,
        )
        await sleep(Math.max(0, 1000 - (Date.now() - stoppedAt)))
        expect(alive(), `neon-local died during the ${shutdown} stop:\n${output}`).toBe(true)
        await cluster.start()
        const readyAt = Date.now()
        await waitAlive(
          'a write acknowledged after the restart',
          30_000,
          () => writes.lastAckAt > readyAt,
        )
        const recoveredAt = writes.firstAckAfter(readyAt)
        cycles.push({
          shutdown,
          requestsDuringOutage: writes.figures.requests - requestsBefore,
          unavailable503: writes.figures.unavailable - unavailableBefore,
          secondsDown: (recoveredAt - stoppedAt) / 1000,
          secondsToRecoverAfterPostgresReady: (recoveredAt - readyAt) / 1000,
        })
      }
      const acked = writes.acknowledged.length
      await waitAlive(
        'writes after the last restart',
        30_000,
        () => writes.acknowledged.length >= acked + 25,
      )
      await writes.stop()

      const check = new pg.Client({ connectionString: cluster.url })
      check.on('error', () => undefined)
      await check.connect()
      const stored = new Set(
        (await check.query<{ id: number }>('SELECT id FROM outage_writes')).rows.map(
          (row) => row.id,
        ),
      )
      await check.end()
      const lost = writes.acknowledged.filter((id) => !stored.has(id))
      const figures = {
        ...writes.figures,
        acknowledged: writes.acknowledged.length,
        unacknowledgedButStored: stored.size - (writes.acknowledged.length - lost.length),
        lostAcknowledgedWrites: lost.length,
        cycles,
      }
      const summary = [
        `${figures.requests} requests, ${figures.acknowledged} acknowledged (2xx), ${figures.unavailable} answered 503 (${figures.unavailableWithoutRetryAfter} without Retry-After), ${figures.otherFailures.length} other failures, lost acknowledged writes: ${lost.length}`,
        ...cycles.map(
          (cycle) =>
            `${cycle.shutdown} stop: ${cycle.requestsDuringOutage} requests, ${cycle.unavailable503} × 503, ${cycle.secondsDown.toFixed(2)} s without service, ${cycle.secondsToRecoverAfterPostgresReady.toFixed(2)} s to recover once PostgreSQL was ready`,
        ),
      ].join('\n')
      console.log(`neon-local outage figures:\n${summary}`)
      await annotate(summary, 'figures')
      fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true })
      fs.writeFileSync(
        path.join(repoRoot, 'test-results', 'neon-local-outage.json'),
        `${JSON.stringify(figures, null, 2)}\n`,
      )

      expect(lost, 'acknowledged writes missing after the restarts').toEqual([])
      expect(figures.otherFailures, 'failures other than 503').toEqual([])
      expect(figures.unavailableWithoutRetryAfter).toBe(0)
      expect(figures.retryAfterValues).toEqual([String(RETRY_AFTER_SECONDS)])
      for (const cycle of cycles) expect(cycle.unavailable503).toBeGreaterThanOrEqual(10)

      // Alive after both outages, never printed its secret, and stops cleanly.
      expect(alive(), output).toBe(true)
      expect(output).toMatch(/database unavailable \(/)
      expect(output).toMatch(/database reachable again after/)
      const secret = passwordOf(info.connectionString) ?? ''
      expect(secret).toMatch(/^[0-9a-f]{64}$/)
      expect(output).not.toContain(secret)
      const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve))
      cli.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(fs.existsSync(endpointFile)).toBe(false)
    }, 240_000)
  })
}
