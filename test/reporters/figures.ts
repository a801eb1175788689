import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints the figures tests record with `annotate(text, 'figures')` (the outage test's requests,
 * 503s, recovery time and lost writes) after the run's summary, passed or not, so they can be
 * quoted: the run shows a passing test's console output only when it fails.
 */
export default class FiguresReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const figures = testModules.flatMap((testModule) =>
      [...testModule.children.allTests()].flatMap((test) =>
        test
          .annotations()
          .filter((annotation) => annotation.type === 'figures')
          .map((annotation) => ({
            name: `${testModule.relativeModuleId} > ${test.fullName}`,
            text: annotation.message,
          })),
      ),
    )
    if (figures.length === 0) return
    console.log('\nFigures:')
    for (const { name, text } of figures) {
      console.log(`  ${name}`)
      for (const line of text.split('\n')) console.log(`    ${line}`)
    }
  }
}
