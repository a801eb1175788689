/**
 * A short, readable name for the device behind a session, from its user agent. The first
 * pattern that matches wins, so the order matters: Edge and Opera say "Chrome" too, Chrome
 * says "Safari", Android says "Linux" and an iPhone "like Mac OS X".
 */
const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+ .*\bSafari\//, 'Safari'],
]
const SYSTEMS = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
]

/** A short, readable name for a user agent: "Chrome on Linux", "Safari on iPhone", "curl". */
export function describeUserAgent(userAgent) {
  const text = typeof userAgent === 'string' ? userAgent : ''
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1]
  // Not a browser: an app or a tool names itself first ("curl/8.5.0", "okhttp/4.12").
  const product = /^([A-Za-z][\w.-]{0,29})(?:\/|$)/.exec(text.trim())?.[1]
  const what = browser ?? (product && product !== 'Mozilla' ? product : undefined)
  if (what) return system ? `${what} on ${system}` : what
  if (system) return `A browser on ${system}`
  return 'Unknown device'
}
