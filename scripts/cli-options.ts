/** Options passed through to wrangler (`--port 8788` or `--port=8788`), as npm run dev reads them. */

export function hasOption(args: string[], name: string): boolean {
  return args.some((arg) => arg === name || arg.startsWith(`${name}=`))
}

export function optionValue(args: string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`))
  if (index === -1) return undefined
  const arg = args[index] as string
  return arg === name ? args[index + 1] : arg.slice(name.length + 1)
}
