// Starts Swagger UI on this API's document. It is a file rather than an inline script so that
// the page's Content-Security-Policy can refuse every inline script (public/_headers).
// Deferred after swagger-ui-bundle.js, which defines window.SwaggerUIBundle.
window.ui = window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  // Tokens from Authorize stay in memory: none is written to localStorage, where they would
  // outlive the tab.
  persistAuthorization: false,
  // The default badge loads an image from validator.swagger.io: another origin.
  validatorUrl: null,
})
