import type { Reporter, TestModule } from 'vitest/node'

/**
 * Names every skipped test at the end of the run, with the reason its name gives, so that a
 * test which cannot run on this machine's database is seen, not silently missing.
 */
export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((testModule) =>
      [...testModule.children.allTests('skipped')].map(
        (test) => `${testModule.project.name} ${testModule.relativeModuleId} > ${test.fullName}`,
      ),
    )
    if (skipped.length === 0) return
    console.log(`\nSkipped tests (${skipped.length}):`)
    for (const name of skipped) console.log(`  - ${name}`)
  }
}
