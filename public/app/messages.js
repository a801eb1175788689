/** What the app tells the person, in sentences: failed requests and counts. */
import { ApiError } from './api.js'

export function plural(count, unit) {
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

function describeWait(seconds) {
  if (seconds < 90) return plural(seconds, 'second')
  return plural(Math.ceil(seconds / 60), 'minute')
}

/** What to tell the person about a failed request. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (error.status === 0) {
    return 'We could not reach the server. Check your connection and try again.'
  }
  if (error.status === 429) {
    const wait = error.retryAfter ? ` Please wait ${describeWait(error.retryAfter)}.` : ''
    return `${sentence(error.message || 'Too many requests')}${wait}`
  }
  if (error.status === 503) {
    return 'The service is temporarily unavailable. Please try again in a moment.'
  }
  if (error.status >= 500) {
    return 'Something went wrong on our side. Please try again in a moment.'
  }
  return sentence(error.message || 'The request could not be completed.')
}

/** "must contain a digit" → "Must contain a digit." */
export function sentence(text) {
  const trimmed = String(text).trim()
  if (!trimmed) return ''
  const capitalised = trimmed[0].toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`
}
