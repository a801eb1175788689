import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * A temp directory that is removed when this process exits, however it exits: wrangler, once
 * imported, answers Ctrl-C with process.exit() before any finally block can run.
 */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  process.once('exit', remove)
  return {
    path: dir,
    remove() {
      process.off('exit', remove)
      remove()
    },
  }
}
