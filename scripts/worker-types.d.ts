/**
 * The operator scripts reuse the product's own queries (src/users, src/sessions), which reach
 * src/env.ts and its binding types. Those come from the Workers runtime's generated declarations,
 * which clash with Node's; no script touches a binding, so empty interfaces stand in for them in
 * the Node type check. Interfaces, not type aliases: they merge with the generated ones wherever
 * a program sees both, where an alias would be a duplicate.
 */
// biome-ignore lint/suspicious/noEmptyInterface: must merge with the generated interface
interface CloudflareBindings {}
// biome-ignore lint/suspicious/noEmptyInterface: must merge with the generated interface
interface SendEmail {}
