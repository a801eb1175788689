import { describe, expect, it } from 'vitest'
import { ipv6Prefix64 } from './client-address'

describe('ipv6Prefix64', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, expected) => {
    expect(ipv6Prefix64(address)).toBe(expected)
  })

  it('puts every address of one /64 under one key', () => {
    expect(ipv6Prefix64('2001:db8:aa:bb:1::')).toBe(
      ipv6Prefix64('2001:db8:aa:bb:ffff:ffff:ffff:ffff'),
    )
  })
})
