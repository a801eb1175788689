import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { hashSync } from '@node-rs/bcrypt'
import { defineConfig } from 'vitest/config'
import { unstable_readConfig } from 'wrangler'
import { dropRunnerDisconnects, quietWranglerNotices } from './test/setup/quiet-output.ts'

quietWranglerNotices()
dropRunnerDisconnects(process.stdout)
dropRunnerDisconnects(process.stderr)

// A fresh signing key per run: no secret lives in the repository, and tests that forge tokens
// read it from the Worker's env like the app does.
const jwtSecret = randomBytes(32).toString('hex')

// The pool reads .dev.vars (npm run dev's, a developer's own) over wrangler.toml's [vars]; the
// tests set wrangler.toml's values back, so what a developer tries locally never changes them.
const wrangler = unstable_readConfig({ config: './wrangler.toml' })
const wranglerVars = wrangler.vars

// The module aliases the Worker is bundled with (wrangler.toml's [alias]), so that the tests run
// the modules production runs.
const wranglerAliases = Object.fromEntries(
  Object.entries(wrangler.alias ?? {}).map(([name, target]) => [
    name,
    path.resolve(String(target)),
  ]),
)

// Hashes made by the native bcrypt, standing in for the ones the old Python service stored:
// the Worker's WebAssembly bcrypt must accept them as they are (test/setup/native-bcrypt.ts has
// more, for the cross-verification tests).
const legacyPassword = 'Legacy-Pass-2019'
const legacyHashes = {
  '2b': hashSync(legacyPassword, { cost: 10, version: '2b' }),
  '2a': hashSync(legacyPassword, { cost: 10, version: '2a' }),
}

export default defineConfig({
  test: {
    projects: [
      {
        // The app, inside workerd, through the Neon HTTP driver to a real database.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ...wranglerVars,
                DATABASE_URL: inject('databaseUrl'),
                NEON_FETCH_ENDPOINT: inject('neonEndpoint'),
                JWT_SECRET: jwtSecret,
                // Cost 4 keeps the suite fast; the cost is a setting, and production uses 12.
                BCRYPT_COST: '4',
                CORS_ORIGINS: 'https://app.example.com',
              },
            },
          })),
        ],
        resolve: { alias: wranglerAliases },
        test: {
          name: 'workers',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/migrations/**', 'test/setup/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          provide: { legacyPassword, legacyHashes },
          testTimeout: 30_000,
        },
      },
      {
        // Development tools that run in Node: the local Neon endpoint and the migrator.
        test: {
          name: 'node',
          include: [
            'tools/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/migrations/**/*.test.ts',
            'test/setup/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
    // The app's JSON log lines are shown for failing tests only.
    silent: 'passed-only',
    // Skipped tests are listed by name (their names say why) after the summary, and so are the
    // figures tests record (the neon-local outage test's).
    reporters: ['default', './test/reporters/skipped.ts', './test/reporters/figures.ts'],
    coverage: {
      provider: 'istanbul',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts'],
      reporter: ['text-summary', 'text'],
      // Today's level (on PostgreSQL, where the race tests run) less a little, so it cannot fall
      // unnoticed: 98.5 / 92.1 / 98.1 / 99.2 % when these were set.
      thresholds: { statements: 97, branches: 90, functions: 96, lines: 98 },
    },
  },
})
