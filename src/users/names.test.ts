import { describe, expect, it } from 'vitest'
import { api, freshAddress, STRONG_PASSWORD, uniqueEmail } from '../../test/support/api'

type Answer = {
  data: { name: string }
  code: string
  errors?: { field: string; message: string }[]
}

const register = (name: string) =>
  api<Answer>('/v1/users', {
    method: 'POST',
    body: { name, email: uniqueEmail('name'), password: STRONG_PASSWORD },
    address: freshAddress(),
  })

describe('names (the contract\u2019s "Validation")', () => {
  it.each([
    ['a C1 control (NEL)', 'Ada\u0085Lovelace'],
    ['a C1 control (CSI)', 'Ada \u009b31m'],
    ['a right-to-left override', 'Ada \u202egnp.exe'],
    ['a left-to-right embedding', '\u202aAda'],
    ['a first-strong isolate', 'Ada \u2068x\u2069'],
    ['only zero-width spaces', '\u200b\u200b'],
    ['only a zero-width joiner', '\u200d'],
    ['only Hangul fillers', '\u3164\u3164'],
    ['only blank Braille', '\u2800'],
    ['only a no-break space and a word joiner', '\u00a0\u2060'],
  ])('refuses %s with 422 on name, and creates nothing', async (_, name) => {
    const res = await register(name)
    expect(res.status).toBe(422)
    expect(res.body.code).toBe('validation_error')
    expect(res.body.errors?.map((error) => error.field)).toEqual(['name'])
  })

  it.each([
    'Zoë Ångström',
    'José Núñez-Peña',
    'e\u0301milie',
    '李小龍',
    '山田 太郎',
    'محمد عبد الله',
    'Ōkubo Toshimichi',
    '👩‍💻 Ada',
    '👨‍👩‍👧',
    "Seán O'Brien",
  ])('keeps the real-world name %s as it was sent', async (name) => {
    const res = await register(name)
    expect(res.status).toBe(201)
    expect(res.body.data.name).toBe(name)
  })
})
