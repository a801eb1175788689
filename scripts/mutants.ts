/**
 * Mutation check: `npm run test:mutants`. Breaks the code one rule at a time (the list in
 * scripts/mutants/mutations.ts), runs the tests that claim the rule, and reports which
 * mutations survived, that is, which claims no test would notice breaking. Zero survivors is
 * the bar.
 *
 * Runs on PostgreSQL (TEST_DATABASE_URL, else DATABASE_URL, else the local server on
 * 127.0.0.1:5432): the race tests force their interleavings there and are skipped on PGlite.
 * Works in a scratch copy of the working tree, so the checkout is never touched.
 * `--check` only verifies that every mutation still applies, which is what CI runs.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MUTATIONS, type Mutation } from './mutants/mutations'
import { repoRoot } from './paths'

const DEFAULT_SERVER = 'postgresql://postgres@127.0.0.1:5432/test'

type Outcome = { mutation: Mutation; killedBy: string[]; seconds: number }

function applies(mutation: Mutation, text: string): boolean {
  return text.split(mutation.find).length === 2
}

function checkAll(root: string): string[] {
  return MUTATIONS.filter(
    (mutation) => !applies(mutation, fs.readFileSync(path.join(root, mutation.file), 'utf8')),
  ).map((mutation) => `${mutation.file}: "${mutation.name}" no longer applies`)
}

/** The working tree's files (tracked, and new ones not ignored), plus a link to node_modules. */
function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutants-'))
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  for (const file of files.stdout.split('\0').filter(Boolean)) {
    const from = path.join(repoRoot, file)
    if (!fs.existsSync(from) || fs.lstatSync(from).isSymbolicLink()) continue
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.copyFileSync(from, path.join(dir, file))
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

/** Runs the tests; the names of those that failed (empty when all passed). */
function failingTests(dir: string, tests: string[], databaseUrl: string): string[] {
  const report = path.join(dir, 'mutant-report.json')
  fs.rmSync(report, { force: true })
  spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      'workers',
      ...tests,
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    {
      cwd: dir,
      env: { ...process.env, TEST_DATABASE_URL: databaseUrl, NO_COLOR: '1' },
      stdio: 'ignore',
    },
  )
  if (!fs.existsSync(report)) return ['(the test run itself failed)']
  const results = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    testResults: Array<{
      name: string
      status: string
      assertionResults: Array<{ status: string; fullName: string }>
    }>
  }
  return results.testResults.flatMap((file) => {
    const failed = file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => test.fullName)
    // A file that failed without a failing test did not load: nothing in it ran.
    if (failed.length === 0 && file.status === 'failed') {
      return [`${path.relative(dir, file.name)} (did not run)`]
    }
    return failed
  })
}

function main(): number {
  const problems = checkAll(repoRoot)
  for (const problem of problems) console.error(problem)
  if (process.argv.includes('--check')) {
    console.log(`${MUTATIONS.length - problems.length} of ${MUTATIONS.length} mutations apply`)
    return problems.length ? 1 : 0
  }
  if (problems.length) return 1
  const databaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_SERVER
  const dir = scratchCopy()
  try {
    const allTests = [...new Set(MUTATIONS.flatMap((mutation) => mutation.tests))]
    const baseline = failingTests(dir, allTests, databaseUrl)
    if (baseline.length) {
      console.error(`The unmutated code fails: ${baseline.join('; ')}`)
      return 1
    }
    const outcomes: Outcome[] = []
    for (const mutation of MUTATIONS) {
      const file = path.join(dir, mutation.file)
      const original = fs.readFileSync(file, 'utf8')
      fs.writeFileSync(
        file,
        original.replace(mutation.find, () => mutation.replace),
      )
      const started = Date.now()
      const killedBy = failingTests(dir, mutation.tests, databaseUrl)
      fs.writeFileSync(file, original)
      const outcome = { mutation, killedBy, seconds: (Date.now() - started) / 1000 }
      outcomes.push(outcome)
      console.log(`${killedBy.length ? 'killed  ' : 'SURVIVED'} ${mutation.name}`)
    }
    console.log('\n| mutation | caught by | seconds |\n| --- | --- | ---: |')
    for (const { mutation, killedBy, seconds } of outcomes) {
      const caught = killedBy.length ? killedBy.slice(0, 2).join('; ') : '**survived**'
      console.log(`| ${mutation.name} | ${caught} | ${seconds.toFixed(0)} |`)
    }
    const survivors = outcomes.filter((outcome) => outcome.killedBy.length === 0).length
    console.log(`\n${outcomes.length - survivors} killed, ${survivors} survived`)
    return survivors ? 1 : 0
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

process.exit(main())
