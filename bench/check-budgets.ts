/**
 * `npm run check:budgets`: the budgets that are not timings, for CI. Round trips per route are
 * asserted by test/round-trips.test.ts in `npm test`; this checks the Worker bundle's size.
 */
import { BUNDLE_GZIP_BUDGET_BYTES, bundleTable, kib, measureBundle } from './bundle'

const report = await measureBundle()
console.log(`bundle (${report.command}):\n`)
console.log(bundleTable(report))
const within = report.gzipBytes <= BUNDLE_GZIP_BUDGET_BYTES
console.log(
  `\nbundle gzip ${kib(report.gzipBytes)} of a ${kib(BUNDLE_GZIP_BUDGET_BYTES)} budget: ${within ? 'ok' : 'OVER BUDGET'}`,
)
process.exitCode = within ? 0 : 1
