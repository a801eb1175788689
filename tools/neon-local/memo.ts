/**
 * `fn` remembered for the strings it has seen: every request from the Worker carries the same
 * Host and the same connection string, and parsing them again each time was a good part of the
 * endpoint's own CPU per round trip. Bounded: past `limit` distinct strings it starts afresh.
 * Only for answers that depend on nothing but the string, and never for a secret check (a map
 * lookup compares strings in variable time).
 */
export function memoize<T>(fn: (input: string) => T, limit = 64): (input: string) => T {
  const answers = new Map<string, T>()
  return (input) => {
    if (answers.has(input)) return answers.get(input) as T
    const answer = fn(input)
    if (answers.size >= limit) answers.clear()
    answers.set(input, answer)
    return answer
  }
}
