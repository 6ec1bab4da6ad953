/**
 * Response headers for widget.js and the chunks it loads on open. Host pages on other
 * origins load them: the script tag without CORS, the chunks through import(), which is
 * a CORS request. They hold no secret, so any origin may read them, never with cookies.
 */
export const WIDGET_ASSET_HEADERS = {
  // The app's files say same-origin; a host page's <script> would be blocked by that.
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*'
} as const;
