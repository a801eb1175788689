/**
 * /docs: Swagger UI from this origin only. It is static assets (public/docs.html, public/docs/,
 * headers from public/_headers), requested here as the asset router would route a browser's
 * request; global setup vendors swagger-ui-dist into public/docs/vendor/ first.
 */
import { describe, expect, it } from 'vitest'
import { browse, reachesWorker } from '../../test/support/assets-router'

type Page = { status: number; headers: Headers; text: string }

async function get(path: string): Promise<Page> {
  const response = await browse(path)
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const SCRIPT = '/docs/vendor/swagger-ui-bundle.js'
const STYLES = '/docs/vendor/swagger-ui.css'
const INIT = '/docs/init.js'

/** What the page may do, and nothing more: every source is this origin (or inline images). */
const EXPECTED_CSP: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
}

function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/** Every URL the page's markup names: attributes, CSS url() and @import. */
function referencedUrls(html: string): string[] {
  const attributes = [
    ...html.matchAll(/\s(?:src|href|action|srcset|poster|data)\s*=\s*(["']?)([^"'\s>]*)\1/gi),
  ]
  const css = [...html.matchAll(/url\(\s*["']?([^"')]*)|@import\s+["']([^"']*)/gi)]
  return [
    ...attributes.map((match) => match[2] ?? ''),
    ...css.map((match) => match[1] ?? match[2] ?? ''),
  ]
}

/** A path on this origin: not absolute (`https:`), not scheme-relative (`//cdn`), not `data:`. */
const isSameOriginPath = (url: string) => url.startsWith('/') && !url.startsWith('//')

describe('GET /docs', () => {
  it('is answered by the static assets, never the Worker', () => {
    for (const path of ['/docs', INIT, SCRIPT, STYLES])
      expect(reachesWorker(path), path).toBe(false)
    // The document Swagger UI reads is the Worker's.
    expect(reachesWorker('/openapi.json')).toBe(true)
  })

  it('is Swagger UI, loading its script, styles and initialisation from this origin', async () => {
    const res = await get('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const urls = referencedUrls(res.text)
    expect(urls).toEqual(expect.arrayContaining([SCRIPT, STYLES, INIT]))
    for (const url of urls)
      expect(url, 'every URL in /docs is a path on this origin').toSatisfy(isSameOriginPath)
    // Nothing that looks like another origin anywhere in the page, linked or not.
    expect(res.text).not.toMatch(/[a-z][a-z0-9+.-]*:\/\/|["'(=]\s*\/\//i)
  })

  it('has no inline script or style for the policy to have to allow', async () => {
    const { text } = await get('/docs')
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    expect(scripts.length).toBeGreaterThanOrEqual(2)
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/\ssrc=/)
      expect(body.trim()).toBe('')
    }
    expect(text).not.toMatch(/<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:/i)
  })

  it('carries a Content-Security-Policy that allows this origin only', async () => {
    const res = await get('/docs')
    const csp = parseCsp(res.headers.get('content-security-policy'))
    expect(Object.fromEntries(csp)).toEqual(EXPECTED_CSP)
    // Belt and braces for whoever edits the policy: no host, scheme or wildcard source, and
    // neither inline script nor eval.
    for (const [directive, sources] of csp) {
      for (const source of sources) {
        const allowed =
          source === "'self'" ||
          source === "'none'" ||
          (directive === 'img-src' && source === 'data:')
        expect(allowed, `${directive} ${source}`).toBe(true)
      }
    }
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('initialises Swagger UI from a file on this origin, over /openapi.json', async () => {
    const res = await get(INIT)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/javascript/)
    expect(res.text).toContain('SwaggerUIBundle(')
    expect(res.text).toContain("url: '/openapi.json'")
    // The default validator badge is an image from validator.swagger.io.
    expect(res.text).toContain('validatorUrl: null')
    expect(res.text).not.toMatch(/:\/\/|['"]\/\//)
  })

  it('serves the vendored Swagger UI script and styles', async () => {
    const script = await get(SCRIPT)
    expect(script.status, `${SCRIPT}: run scripts/vendor-swagger-ui.ts`).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
    expect(script.text).toContain('SwaggerUIBundle')
    expect(script.text.length).toBeGreaterThan(500_000)
    expect(script.headers.get('x-content-type-options')).toBe('nosniff')

    const styles = await get(STYLES)
    expect(styles.status, `${STYLES}: run scripts/vendor-swagger-ui.ts`).toBe(200)
    expect(styles.headers.get('content-type')).toContain('text/css')
    expect(styles.text).toContain('.swagger-ui')
  })

  it('ships swagger-ui-dist’s licence and notice beside its code', async () => {
    const licence = await get('/docs/vendor/LICENSE')
    expect(licence.status).toBe(200)
    expect(licence.text).toContain('Apache License')
    expect((await get('/docs/vendor/NOTICE')).status).toBe(200)
    expect((await get('/docs/vendor/swagger-ui-bundle.js.LICENSE.txt')).status).toBe(200)
  })
})
