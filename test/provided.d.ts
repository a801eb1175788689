// What the vitest config and test/setup/global-setup.ts hand to the tests through `inject()`.
declare module 'vitest' {
  export interface ProvidedContext {
    /** neon-local's endpoint: what the Worker sets as neonConfig.fetchEndpoint. */
    neonEndpoint: string
    /**
     * Which database is behind the endpoint. The embedded PGlite serves one connection, so
     * statements never run concurrently there: tests that force an interleaving need PostgreSQL.
     */
    databaseBackend: 'pglite' | 'postgresql'
    /**
     * The DATABASE_URL that works with that endpoint: its password is the endpoint's per-run
     * secret, which every request must carry; the endpoint picks the database.
     */
    databaseUrl: string
    /** A password and its bcrypt hashes made by @node-rs/bcrypt, as the old service stored them. */
    legacyPassword: string
    legacyHashes: { '2a': string; '2b': string }
  }
}

export {}
