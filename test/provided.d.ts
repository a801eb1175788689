/** A hash @node-rs/bcrypt made, with what it was made from (test/setup/native-bcrypt.ts). */
export type NativeBcryptCase = {
  label: string
  password: string
  version: '2a' | '2b' | '2y'
  cost: number
  /** The 16 salt bytes, as numbers (what `provide` can carry). */
  salt: number[]
  hash: string
}

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
    /** Hashes of awkward passwords made by @node-rs/bcrypt, with their salts (test/setup). */
    nativeBcryptCases: NativeBcryptCase[]
    /** Where @node-rs/bcrypt verifies hashes: POST [{ password, hash }] → [boolean]. */
    nativeBcryptVerifier: string
  }
}
