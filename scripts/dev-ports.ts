/**
 * The ports `npm run dev` listens on, checked before anything starts: wrangler finds a taken
 * port only after the database, the migrations and the build, and then reports it as a workerd
 * stack trace whose hint (`--port`) is not the setting a reader of the README knows (`PORT`).
 */
import net from 'node:net'

/** How to choose another port, for the message a taken one gives (`PORT=8788 npm run dev`). */
export type PortHint = (port: number) => string

/** A TCP port number from a setting, or an error naming the setting. */
export function parsePort(value: string, setting: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!(port >= 1 && port <= 65_535)) {
    throw new Error(
      `${setting} must be a port number from 1 to 65535, not ${JSON.stringify(value)}`,
    )
  }
  return port
}

/** True when something already listens on host:port (or this process may not listen there). */
export function isPortTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true)
      else reject(error)
    })
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)))
  })
}

const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host)

const taken = (what: string, host: string, port: number, hint: PortHint) =>
  new Error(
    `${bracketed(host)}:${port}, where ${what} would listen, is taken (another \`npm run dev\`?): ${hint(port)}`,
  )

/**
 * Checks the app's and the mailbox's ports before anything starts, so a taken one fails in a
 * moment, naming what to change. A taken mailbox port without a hint was a default nobody
 * chose: any free port then does. Returns the mailbox's port (0: any free one).
 */
export async function checkDevPorts(options: {
  host: string
  port: string
  portHint: PortHint | undefined
  mailboxPort: number
  mailboxPortHint: PortHint | undefined
  log: (message: string) => void
}): Promise<number> {
  const portHint = options.portHint ?? ((port) => `choose another port than ${port}`)
  const port = parsePort(options.port, 'The port')
  if (await isPortTaken(options.host, port)) throw taken('the app', options.host, port, portHint)
  const { mailboxPort, mailboxPortHint } = options
  if (mailboxPort === 0 || !(await isPortTaken('127.0.0.1', mailboxPort))) return mailboxPort
  if (mailboxPortHint) throw taken('the mailbox', '127.0.0.1', mailboxPort, mailboxPortHint)
  options.log(`mailbox: port ${mailboxPort} is taken, using a free one`)
  return 0
}
