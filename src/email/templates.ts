/**
 * Every email the service sends: plain text, and a simple HTML part with the same words. Links
 * carry their token in the URL's fragment (`#...token=`), which browsers never send to a server,
 * so it stays out of access logs and Referer headers.
 */
export type Email = { to: string; subject: string; text: string; html: string }

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

function compose(to: string, subject: string, paragraphs: string[], link?: string): Email {
  const text = [...paragraphs, ...(link ? [link] : []), '', 'User Management API'].join('\n\n')
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`] : []),
    '</body></html>',
  ].join('\n')
  return { to, subject, text, html }
}

export const VERIFY_EMAIL_PATH = '/app/#verify-email?token='
export const RESET_PASSWORD_PATH = '/app/#reset-password?token='

export const verificationEmail = (to: string, base: string, token: string): Email =>
  compose(
    to,
    'Confirm your email address',
    [
      'Confirm that this address is yours by opening the link below. It works once, for 24 hours.',
      'If you did not ask for this, ignore this email.',
    ],
    `${base}${VERIFY_EMAIL_PATH}${token}`,
  )

export const passwordResetEmail = (to: string, base: string, token: string): Email =>
  compose(
    to,
    'Reset your password',
    [
      'Someone asked to reset the password of the account with this address. Open the link below to choose a new one. It works once, for one hour, and signs you out everywhere.',
      'If it was not you, ignore this email: your password stays as it is.',
    ],
    `${base}${RESET_PASSWORD_PATH}${token}`,
  )

/** To the old address after an email change: a notice, with no link that acts. */
export const emailChangedNotice = (to: string, newEmail: string): Email =>
  compose(to, 'Your email address was changed', [
    `The email address of your account was changed to ${newEmail}. This address no longer signs in.`,
    'If you did not make this change, contact support at once: this address can no longer be used to recover the account.',
  ])
