/**
 * The mailbox page: every message of `email_outbox`, newest first. Bodies are text, so all of
 * it is escaped; only the http(s) links found in a body become anchors. No script, one inline
 * stylesheet allowed by its hash.
 */
import crypto from 'node:crypto'

export interface OutboxMessage {
  id: string
  toAddress: string
  subject: string
  textBody: string
  createdAt: Date
  sentAt: Date | null
  failedAt: Date | null
  attempts: number
  lastError: string | null
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

// A link ends at white space or a character that cannot be in one; trailing punctuation of the
// sentence around it ("…: https://x/y.") is left out.
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/g
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/

/** The text, escaped, with each http(s) URL in it as a link to exactly that URL. */
export function linkify(text: string): string {
  let html = ''
  let last = 0
  for (const match of text.matchAll(LINK)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '')
    const start = match.index
    if (!URL.canParse(url)) continue
    html += escapeHtml(text.slice(last, start))
    html += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
    last = start + url.length
  }
  return html + escapeHtml(text.slice(last))
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' })

const time = (date: Date) =>
  `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(timeFormat.format(date))}</time>`

function status(message: OutboxMessage): string {
  if (message.sentAt) return `sent ${time(message.sentAt)}`
  if (message.failedAt) {
    return `gave up after ${message.attempts} tries: ${escapeHtml(message.lastError ?? '')}`
  }
  return message.attempts > 0
    ? `not sent yet (${message.attempts} tries: ${escapeHtml(message.lastError ?? '')})`
    : 'waiting in the outbox (no EMAIL binding runs locally)'
}

function renderMessage(message: OutboxMessage): string {
  return `<article class="message" aria-labelledby="m${escapeHtml(message.id)}">
  <h2 id="m${escapeHtml(message.id)}">${escapeHtml(message.subject)}</h2>
  <dl>
    <div><dt>To</dt><dd class="to">${escapeHtml(message.toAddress)}</dd></div>
    <div><dt>Written</dt><dd>${time(message.createdAt)}</dd></div>
    <div><dt>Status</dt><dd>${status(message)}</dd></div>
  </dl>
  <div class="body">${linkify(message.textBody)}</div>
</article>`
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { max-width: 48rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0; }
.lead { margin: 0.25rem 0 1.5rem; color: GrayText; }
.message { border: 1px solid GrayText; border-radius: 10px; padding: 1rem 1.25rem; margin-top: 1rem; }
.message h2 { font-size: 1.125rem; margin: 0; }
dl { display: grid; gap: 0.125rem; margin: 0.5rem 0 0; font-size: 0.875rem; }
dl div { display: flex; gap: 0.5rem; }
dt { color: GrayText; min-width: 4.5rem; }
dd { margin: 0; }
.body { white-space: pre-wrap; margin-top: 0.75rem; padding-top: 0.75rem; border-top: 1px solid GrayText; }
`.trim()

const STYLE_HASH = crypto.createHash('sha256').update(STYLE, 'utf8').digest('base64')

/** No script at all; the stylesheet above only; links may leave, nothing else loads. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

function document(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`
}

/** The page: `messages` newest first, `total` the number of rows in the outbox. */
export function mailboxPage(messages: OutboxMessage[], total: number): string {
  const shown = messages.length < total ? `the newest ${messages.length} of ${total}` : total
  const lead =
    total === 0
      ? 'No messages yet. Register, ask for a password reset or change an email in the app, then <a href="/">refresh</a>.'
      : `${shown} message${total === 1 ? '' : 's'} in <code>email_outbox</code>, newest first. <a href="/">Refresh</a>`
  return document(
    'Local mailbox',
    `<h1>Local mailbox</h1>
<p class="lead">${lead}</p>
${messages.map(renderMessage).join('\n')}`,
  )
}

/** A page saying what went wrong (never a connection string: the caller redacts it). */
export function problemPage(message: string): string {
  return document(
    'Local mailbox: unavailable',
    `<h1>Local mailbox</h1>
<p class="lead">The outbox could not be read: ${escapeHtml(message)}. <a href="/">Try again</a></p>`,
  )
}
