export { renderMarkdown, type RenderOptions } from './render';
export { sanitizeHtml } from './sanitize';
