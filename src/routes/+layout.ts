// A client-only single-page app: every page works from IndexedDB and the service worker.
export const ssr = false;
export const prerender = false;
