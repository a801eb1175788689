import { describe, expect, it } from 'vitest'
import { memoize } from './memo'

describe('memoize', () => {
  it('computes each string once', () => {
    const seen: string[] = []
    const length = memoize((input: string) => {
      seen.push(input)
      return input.length
    })
    expect([length('ab'), length('ab'), length('abc'), length('ab')]).toEqual([2, 2, 3, 2])
    expect(seen).toEqual(['ab', 'abc'])
  })

  it('starts afresh past its limit, so strings from many clients cannot grow it without end', () => {
    const seen: string[] = []
    const echo = memoize((input: string) => {
      seen.push(input)
      return input
    }, 2)
    for (const input of ['a', 'b', 'c', 'a']) echo(input)
    expect(seen).toEqual(['a', 'b', 'c', 'a'])
  })
})
