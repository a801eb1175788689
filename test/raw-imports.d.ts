// Vite's `?raw` import: a file's text (test/support/assets-router.ts reads wrangler.toml so).
declare module '*?raw' {
  const text: string
  export default text
}
