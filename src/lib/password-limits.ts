/**
 * bcrypt reads at most 72 bytes; longer passwords are refused upstream, never truncated. Kept
 * apart from the hashing code, which imports a WebAssembly module, so that the schemas (and the
 * Node scripts that use them) can know the limit without loading it.
 */
export const BCRYPT_MAX_BYTES = 72
