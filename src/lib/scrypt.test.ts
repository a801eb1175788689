import { scrypt as nodeScrypt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SCRYPT_PARAMS, scrypt } from './scrypt'

const salt = () => crypto.getRandomValues(new Uint8Array(16))
const SMALL = { ln: 4, r: 1, p: 1 }

describe('scrypt in workerd', () => {
  it.each([
    // RFC 7914 §12, the test vectors of scrypt's specification.
    [
      'password',
      'NaCl',
      { N: 1024, r: 8, p: 16 },
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    ],
    [
      'pleaseletmein',
      'SodiumChloride',
      { N: 16384, r: 8, p: 1 },
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
    ],
  ])('gives the RFC 7914 answer for %s / %s', async (password, vectorSalt, params, expected) => {
    const key = await new Promise<Buffer>((resolve, reject) =>
      nodeScrypt(password, vectorSalt, 64, params, (error, derived) =>
        error ? reject(error) : resolve(derived),
      ),
    )
    expect(key.toString('hex')).toBe(expected)
  })

  it('stores a hash that names its parameters, and verifies the password against it', async () => {
    const hash = await scrypt.hash('Sturdy-Pass-42', SCRYPT_PARAMS, salt())
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    expect(scrypt.paramsOf(hash)).toEqual(SCRYPT_PARAMS)
    expect(await scrypt.verify('Sturdy-Pass-42', hash)).toBe(true)
    expect(await scrypt.verify('Sturdy-Pass-43', hash)).toBe(false)
  })

  it('verifies with the parameters the hash names, not today’s', async () => {
    const hash = await scrypt.hash('pässwörd 🔑', SMALL, salt())
    expect(scrypt.paramsOf(hash)).toEqual(SMALL)
    expect(await scrypt.verify('pässwörd 🔑', hash)).toBe(true)
  })

  it('gives the same key for the same password and salt, and another for another salt', async () => {
    const fixed = salt()
    const first = await scrypt.hash('same', SMALL, fixed)
    expect(await scrypt.hash('same', SMALL, fixed)).toBe(first)
    expect(await scrypt.hash('same', SMALL, salt())).not.toBe(first)
  })

  it('refuses parameters that would take more than 32 MiB, and salts that are not 16 bytes', async () => {
    await expect(scrypt.hash('pw', { ln: 16, r: 8, p: 1 }, salt())).rejects.toThrow(RangeError)
    await expect(scrypt.hash('pw', SMALL, new Uint8Array(8))).rejects.toThrow(RangeError)
  })

  it('answers false, not an error, for what is not a scrypt hash it can check', async () => {
    const good = await scrypt.hash('pw', SMALL, salt())
    for (const stored of [
      '',
      '$2b$04$u0Rz8aW//gmQfkv1xe/Gxe5Sy92u6.6nU5kOCnlnInFBCVWaX76Xm',
      good.slice(0, -1),
      `${good}A`,
      good.replace('ln=4', 'ln=0'),
      // 128 MiB: more than a Worker could give it.
      good.replace('ln=4,r=1', 'ln=17,r=8'),
      good.replace('p=1', 'p=17'),
      good.replace('$scrypt$', '$scrypt2$'),
    ]) {
      expect(await scrypt.verify('pw', stored), stored).toBe(false)
      expect(scrypt.paramsOf(stored), stored).toBeUndefined()
    }
  })
})
