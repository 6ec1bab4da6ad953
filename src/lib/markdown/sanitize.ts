/**
 * DOMPurify over the HTML markdown-it produced. markdown-it already escapes raw HTML
 * (html: false) and refuses javascript: links; this is the second wall, so one bug in a
 * renderer rule can never turn a model's answer into script.
 */
import DOMPurify, { type DOMPurify as Purifier } from 'dompurify';

let purifier: Purifier | null = null;

function instance(): Purifier {
  if (purifier) return purifier;
  // A private instance, so our hooks never leak into other users of DOMPurify.
  const created = DOMPurify(window);
  created.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  purifier = created;
  return created;
}

export function sanitizeHtml(html: string): string {
  return instance().sanitize(html, {
    // Model output has no business with forms, frames, styles or remote media.
    FORBID_TAGS: [
      'style',
      'form',
      'input',
      'textarea',
      'select',
      'iframe',
      'img',
      'video',
      'audio',
      'svg',
      'math'
    ],
    FORBID_ATTR: ['style'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i
  });
}
