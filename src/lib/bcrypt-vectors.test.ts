import { describe, expect, it } from 'vitest'
import { bcrypt } from './bcrypt-wasm'

/** Bytes from a string whose characters are all below U+0100, one byte each (C's "\xa3"). */
const bytes = (text: string) => Uint8Array.from(text, (character) => character.charCodeAt(0))

/**
 * Published answers, as their authors wrote them.
 *
 * jBCrypt's TestBCrypt.java (Damien Miller, 2006): text passwords, $2a$, costs 5 to 12.
 */
const JBCRYPT: [string, string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['', '$2a$08$HqWuK6/Ng6sg9gQzbLrgb.Tl.ZHfXLhvt/SgVyWhQqgqcZ7ZuUtye'],
  ['', '$2a$10$k1wbIrmNyFAPwPVPSVa/zecw2BCEnBwVS2GbrmgzxFUOqW9dk4TCW'],
  ['', '$2a$12$k42ZFHFWqBp3vWli.nIn8uYyIkbvYRvodzbfbK18SSsY.CsIQPlxO'],
  ['a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe'],
  ['a', '$2a$08$cfcvVd2aQ8CMvoMpP2EBfeodLEkkFJ9umNEfPD18.hUF62qqlC/V.'],
  ['a', '$2a$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u'],
  ['a', '$2a$12$8NJH3LsPrANStV6XtBakCez0cKHXVxmvxIlcz785vxAIZrihHZpeS'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['abc', '$2a$08$Ro0CUfOqk6cXEKf3dyaM7OhSCvnwM9s4wIX9JeLapehKK5YdLxKcm'],
  ['abc', '$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi'],
  ['abc', '$2a$12$EXRkfkdmXn2gzds2SSitu.MW9.gAVqa9eLS1//RYtYCmB1eLHg.9q'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$08$aTsUwsyowQuzRrDqFflhgekJ8d9/7Z3GV3UcgvzQW3J5zMyrTvlz.'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$12$D4G5f18o7aMMfwasBL7GpuQWuP3pkrZrOAnqP.bmezbMng.QwJ/pG'],
  [
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO',
  ],
  [
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$08$Eq2r4G/76Wv39MzSX262huzPz612MZiYHVUJe/OcOql2jo4.9UxTW',
  ],
  [
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS',
  ],
  [
    '~!@#$%^&*()      ~!@#$%^&*()PNBFRD',
    '$2a$12$WApznUOJfkEGSmYRfnkrPOr466oFDCaj4b6HY3EXGvfxm43seyhgC',
  ],
]

const ALPHANUMERIC_72 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/**
 * Openwall crypt_blowfish 1.3's wrapper.c tests (Solar Designer; the C that hash-wasm builds):
 * byte passwords, some not UTF-8, in $2a$, $2b$ and $2y$. Where a vector's password runs past
 * 72 bytes ("chars after 72 are ignored"), only its first 72 are given: ours refuses more.
 */
const OPENWALL: [Uint8Array, string][] = [
  [bytes('U*U'), '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  [bytes('U*U*'), '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
  [bytes('U*U*U'), '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
  [bytes(ALPHANUMERIC_72), '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'],
  [bytes('\xff\xff\xa3'), '$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e'],
  // $2a$'s countermeasure against the old sign-extension bug: the one input class (0xFF bytes,
  // never in UTF-8) where $2a$ and $2b$ differ.
  [bytes('\xff\xff\xa3'), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.'],
  [bytes('\xff\xff\xa3'), '$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e'],
  [bytes('\xa3'), '$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq'],
  [bytes('\xa3'), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq'],
  [bytes('\xa3'), '$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq'],
  [
    bytes('\xff\xa334\xff\xff\xff\xa3345'),
    '$2y$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi',
  ],
  [
    bytes('\xff\xa334\xff\xff\xff\xa3345'),
    '$2a$05$/OK.fbVrR/bpIqNJ5ianF.ZC1JEJ8Z4gPfpe1JOr/oyPXTWl9EFd.',
  ],
  [bytes('\xff\xa3345'), '$2y$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e'],
  [bytes('\xff\xa3345'), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e'],
  [bytes('\xa3ab'), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS'],
  [bytes('\xa3ab'), '$2y$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS'],
  [bytes('\xaa'.repeat(72)), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.swQOIzjOiJ9GHEPuhEkvqrUyvWhEMx6'],
  [bytes('\xaa\x55'.repeat(36)), '$2a$05$/OK.fbVrR/bpIqNJ5ianF.R9xrDjiycxMbQE2bp.vgqlYpW5wx2yy'],
  [
    bytes('\x55\xaa\xff'.repeat(24)),
    '$2a$05$/OK.fbVrR/bpIqNJ5ianF.9tQZzcJfm3uj2NvJ/n5xkhpqLrMpWCe',
  ],
  [bytes(''), '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
]

/** Openwall's $2x$ vectors: hashes of the sign-extension bug, which nothing here ever wrote. */
const OPENWALL_2X: [Uint8Array, string][] = [
  [bytes('\xa3'), '$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e'],
  [bytes('\xd1\x91'), '$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS'],
]

describe.each([
  ['jBCrypt', JBCRYPT],
  ['Openwall crypt_blowfish', OPENWALL],
] as const)('the published %s vectors', (_, vectors: readonly [string | Uint8Array, string][]) => {
  it.each(vectors.map(([password, hash], index) => [index, hash, password] as const))(
    'vector %i: %s verifies',
    (_index, hash, password) => {
      expect(bcrypt.verify(password, hash)).toBe(true)
    },
  )

  it('refuses each vector with another one’s password (as jBCrypt’s failure test pairs them)', () => {
    // The costlier hashes are left out of the pairs: each check at cost 12 takes a fair share
    // of a second, and they were verified once above.
    const cheap = vectors.filter(([, hash]) => (bcrypt.costOf(hash) ?? 99) <= 8)
    const pairs = cheap
      .map(([password], index) => [password, cheap[(index + 4) % cheap.length]] as const)
      .filter(([password, other]) => other && String(other[0]) !== String(password))
    expect(pairs.length).toBeGreaterThan(cheap.length / 2)
    for (const [password, other] of pairs) {
      expect(bcrypt.verify(password, other?.[1] ?? '')).toBe(false)
    }
  })
})

describe('the sign-extension bug’s $2x$ hashes', () => {
  it.each(OPENWALL_2X)('are refused even with their own password (%#)', (password, hash) => {
    expect(bcrypt.verify(password, hash)).toBe(false)
    expect(bcrypt.costOf(hash)).toBeUndefined()
  })
})
