/**
 * `npm run admin -- <command> <email>`: makes, or unmakes, admins, with `npm run dev` running
 * or not, and against Neon or any PostgreSQL in production (DATABASE_URL):
 *
 *   npm run admin -- promote ada@example.com
 *   npm run admin -- demote ada@example.com
 *   npm run admin -- create ada@example.com --name "Ada Lovelace"
 *
 * `create` asks for the password at a hidden prompt, or reads the first line of standard input
 * (`npm run admin -- create ... < password.txt`). Exit status: 0 done or nothing to do, 1 the
 * command failed, 2 the command line is wrong.
 */
import type { Role } from '../src/db/schema'
import { Email, Name } from '../src/users/schemas'
import { createAdmin, existingAccount, setRole } from './admin/commands'
import { bcryptCost, hashForApp, readNewPassword } from './admin/password'
import { explainFailure, openAppDatabase, ToolError } from './app-database'

const USAGE = `Usage:
  npm run admin -- promote <email>                 make the account an admin
  npm run admin -- demote <email>                  make the admin an ordinary user
  npm run admin -- create <email> --name "<name>"  a new admin; the password is asked for,
                                                   or read from the first line of stdin
A role change ends the user's sessions, as it does through the API.
The database is DATABASE_URL's, else the embedded one of \`npm run dev\` (running or not).`

class UsageError extends Error {}

const describeRole = (role: Role) => (role === 'admin' ? 'an admin' : 'an ordinary user')

type Command =
  | { name: 'promote' | 'demote'; email: string }
  | { name: 'create'; email: string; displayName: string }

function parseEmail(value: string | undefined): string {
  const result = Email.safeParse(value ?? '')
  if (!result.success)
    throw new UsageError(`${JSON.stringify(value ?? '')} is not an email address`)
  return result.data
}

function parseArgs(args: string[]): Command | 'help' {
  const [name, ...rest] = args
  if (name === 'help' || name === '--help' || name === '-h') return 'help'
  if (name === 'promote' || name === 'demote') {
    if (rest.length !== 1) throw new UsageError(`${name} takes one email address`)
    return { name, email: parseEmail(rest[0]) }
  }
  if (name === 'create') {
    const nameAt = rest.findIndex((arg) => arg === '--name' || arg.startsWith('--name='))
    if (nameAt === -1) throw new UsageError('create needs --name "<the name to show>"')
    const flag = rest[nameAt] as string
    const value = flag === '--name' ? rest[nameAt + 1] : flag.slice('--name='.length)
    const others = rest.filter(
      (_, at) => at !== nameAt && !(flag === '--name' && at === nameAt + 1),
    )
    if (others.length !== 1) throw new UsageError('create takes one email address and --name')
    const parsedName = Name.safeParse(value ?? '')
    if (!parsedName.success) {
      throw new UsageError(`--name ${parsedName.error.issues[0]?.message ?? 'is not valid'}`)
    }
    return { name: 'create', email: parseEmail(others[0]), displayName: parsedName.data }
  }
  throw new UsageError(name ? `unknown command ${JSON.stringify(name)}` : 'no command given')
}

async function run(command: Command): Promise<void> {
  const database = await openAppDatabase()
  const say = (message: string) => console.log(`${message} (${database.description})`)
  try {
    const { db } = database
    const { email } = command
    if (command.name === 'create') {
      const found = await existingAccount(db, email)
      if (found?.role === 'admin') {
        return say(`${email} already has an account and is an admin; nothing changed.`)
      }
      if (found) {
        throw new ToolError(
          `${email} already has an account (role: user), so nothing changed. To make it an admin: npm run admin -- promote ${email}`,
        )
      }
      const cost = bcryptCost()
      const passwordHash = await hashForApp(await readNewPassword(), cost)
      const outcome = await createAdmin(db, { name: command.displayName, email, passwordHash })
      if (outcome.kind === 'exists') {
        throw new ToolError(
          `${email} got an account meanwhile (role: ${outcome.role}); nothing changed.`,
        )
      }
      return say(`Created admin ${email} (user ${outcome.userId}), verified, bcrypt cost ${cost}.`)
    }
    const role = command.name === 'promote' ? 'admin' : 'user'
    const outcome = await setRole(db, email, role)
    if (outcome.kind === 'not_found') throw new ToolError(`No account has the email ${email}.`)
    if (outcome.kind === 'unchanged') {
      return say(`${email} is already ${describeRole(role)}; nothing changed.`)
    }
    say(
      `${email} is now ${describeRole(role)} (was ${describeRole(outcome.from)}); ` +
        'their sessions have ended, so their next login carries the new role.',
    )
  } finally {
    await database.close()
  }
}

const databaseUrl = process.env.DATABASE_URL?.trim() || undefined
let command: Command | 'help'
try {
  command = parseArgs(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  process.exit(2)
}
if (command === 'help') {
  console.log(USAGE)
  process.exit(0)
}
run(command).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(explainFailure(error, databaseUrl))
    process.exit(1)
  },
)
