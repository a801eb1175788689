import type { ResolverReturnType } from 'hono-openapi'
import * as z from 'zod'

type JsonSchema = Record<string, unknown>

/**
 * A zod schema as hono-openapi reads one: an object whose `toOpenAPISchema()` gives its JSON
 * Schema (OpenAPI 3.1 uses draft 2020-12) and the named schemas it refers to. Schemas with a
 * `meta({ id })` become components. Built on zod's own `toJSONSchema` rather than the library's
 * `resolver()`, which loads zod's core by a dynamic import: a bundler must then keep all of zod,
 * its forty locales included (about 60 KiB of gzip in the Worker).
 */
export function openApiSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
): Omit<ResolverReturnType, 'options'> {
  // Draft 2020-12, which the library's draft-7 type does not describe.
  const toJSONSchema = () =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as ReturnType<
      ResolverReturnType['toJSONSchema']
    >
  return {
    vendor: 'zod',
    validate: schema['~standard'].validate,
    toJSONSchema,
    async toOpenAPISchema() {
      const {
        $schema: _,
        $defs,
        ...converted
      } = toJSONSchema() as JsonSchema & {
        $defs?: Record<string, JsonSchema>
      }
      const relocate = <T>(value: T): T =>
        JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'))
      return {
        schema: relocate(converted),
        components: $defs ? { schemas: relocate($defs) } : undefined,
      }
    },
  }
}
