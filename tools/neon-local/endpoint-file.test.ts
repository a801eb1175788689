/** The owner-only file that hands an endpoint's secret to another process of the same user. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  endpointFileFor,
  findRunningEndpoint,
  removeEndpointFile,
  writeEndpointFile,
} from './endpoint-file'
import { startNeonLocal } from './index'

describe('the endpoint file', () => {
  it('is owner-only, found while its endpoint answers, ignored when stale or loose', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-endpoint-'))
    const file = endpointFileFor(path.join(dir, 'pglite'))
    expect(file).toBe(path.join(dir, 'pglite.endpoint.json'))
    const local = await startNeonLocal({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })
    try {
      const info = {
        endpoint: local.endpoint,
        connectionString: local.connectionString,
        backend: local.backend,
        pid: process.pid,
      }
      writeEndpointFile(file, info)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(await findRunningEndpoint(file)).toEqual(info)

      // Another run's secret: the endpoint does not answer it.
      const wrongSecret = local.connectionString.replace(/:[0-9a-f]{64}@/, `:${'0'.repeat(64)}@`)
      writeEndpointFile(file, { ...info, connectionString: wrongSecret })
      expect(await findRunningEndpoint(file)).toBeUndefined()

      writeEndpointFile(file, info)
      fs.chmodSync(file, 0o644)
      expect(await findRunningEndpoint(file)).toBeUndefined()

      // Announced by a process that is gone (pid 2^22 + 1 is above Linux's pid_max).
      writeEndpointFile(file, { ...info, pid: 4_194_305 })
      expect(await findRunningEndpoint(file)).toBeUndefined()
      removeEndpointFile(file)
      expect(fs.existsSync(file), "another process's file stays").toBe(true)

      writeEndpointFile(file, info)
      removeEndpointFile(file)
      expect(fs.existsSync(file)).toBe(false)
    } finally {
      await local.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
