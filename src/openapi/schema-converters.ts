/**
 * Stands in for @standard-community/standard-json and standard-openapi in the Worker bundle
 * (wrangler.toml's [alias]). hono-openapi imports them for its `resolver()` and `validator()`,
 * which this app does not use: every schema it documents brings its own converter (see
 * lib/openapi-schema.ts). The real modules would cost the bundle all of zod's core, locales
 * included, through a dynamic import a bundler cannot trim.
 */
const unused = (): never => {
  throw new Error('Schemas are converted by lib/openapi-schema.ts, not by a vendor converter')
}

export const toJsonSchema = unused
export const toOpenAPISchema = unused
export const loadVendor = unused
