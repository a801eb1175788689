/**
 * A V8 CPU profile (.cpuprofile, from workerd's inspector or `node --cpu-prof`) as two short
 * tables: self time by function, and by source (the package or file its code came from).
 */

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
}

export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Where a line of a non-minified bundle came from, by esbuild's `// path` module comments. */
export function bundleSources(code: string): (line: number) => string {
  const starts: { line: number; source: string }[] = []
  code.split('\n').forEach((text, index) => {
    const match = /^\/\/ (\S*(?:node_modules|src|bench)\/\S+)$/.exec(text)
    if (match?.[1]) starts.push({ line: index, source: match[1] })
  })
  return (line) => {
    let found = '(bundle glue)'
    for (const start of starts) {
      if (start.line > line) break
      found = start.source
    }
    return found
  }
}

/** A package name, or `src/<file>` for the app's own code. */
export function sourceGroup(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)
  if (pkg?.[1]) return pkg[1]
  const own = /(?:^|\/)(src|tools|bench|scripts)\/(.+)$/.exec(source)
  if (own) return `${own[1]}/${own[2]}`
  return source || '(native or runtime)'
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

export function summarizeProfile(
  profile: CpuProfile,
  options: { sourceOf?: (frame: CallFrame) => string; top?: number } = {},
): string {
  const top = options.top ?? 20
  const sourceOf = options.sourceOf ?? ((frame: CallFrame) => sourceGroup(frame.url))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
  })
  const functions = new Map<string, number>()
  const sources = new Map<string, number>()
  let busyUs = 0
  let idleUs = 0
  let gcUs = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    if (frame.functionName === '(garbage collector)') gcUs += us
    if (IDLE.has(frame.functionName) && frame.functionName !== '(garbage collector)') {
      idleUs += us
      continue
    }
    busyUs += us
    const source = frame.url ? sourceOf(frame) : '(native or runtime)'
    const name = `${frame.functionName || '(anonymous)'} — ${source}`
    functions.set(name, (functions.get(name) ?? 0) + us)
    sources.set(source, (sources.get(source) ?? 0) + us)
  }
  const table = (title: string, entries: Map<string, number>) => {
    const rows = [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `| ${name} | ${(us / 1000).toFixed(1)} | ${((100 * us) / busyUs).toFixed(1)}% |`,
      )
    return [`| ${title} | self ms | share of busy |`, '|---|---:|---:|', ...rows].join('\n')
  }
  const wallMs = (profile.endTime - profile.startTime) / 1000
  return [
    `Profile: ${wallMs.toFixed(0)} ms, busy ${(busyUs / 1000).toFixed(0)} ms (garbage collection ${(gcUs / 1000).toFixed(0)} ms), idle ${(idleUs / 1000).toFixed(0)} ms.`,
    '',
    table('by source', sources),
    '',
    table('by function', functions),
  ].join('\n')
}
