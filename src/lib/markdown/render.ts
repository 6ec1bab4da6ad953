/**
 * Markdown → safe HTML for assistant answers. Streaming text is rendered as it grows:
 * an unclosed ``` fence simply runs to the end, so code shows as code while it arrives.
 */
import MarkdownIt from 'markdown-it';
import { highlightCode } from './highlight';
import { sanitizeHtml } from './sanitize';

export interface RenderOptions {
  /** The code-block button's label, in the UI language. */
  copyLabel?: string;
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
const escape = md.utils.escapeHtml;

md.renderer.rules.fence = (tokens, idx, _options, env) => {
  const token = tokens[idx];
  const language = token.info
    .trim()
    .split(/\s+/)[0]
    .toLowerCase()
    .replace(/[^\w+#-]/g, '');
  const code = highlightCode(token.content, language) ?? escape(token.content);
  const label = language ? `<span class="code-lang">${escape(language)}</span>` : '<span></span>';
  const copy = escape((env as RenderOptions | undefined)?.copyLabel ?? 'Copy');
  const cls = language ? ` class="hljs language-${escape(language)}"` : ' class="hljs"';
  return (
    `<div class="code-block"><div class="code-head">${label}` +
    `<button type="button" class="code-copy" data-copy-code="">${copy}</button></div>` +
    `<pre><code${cls}>${code}</code></pre></div>\n`
  );
};

// Images would load from wherever the model points, leaking the chat (a prompt-injection
// exfiltration trick) and breaking "nothing leaves the tab": show them as plain links.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = String(token.attrGet('src') ?? '');
  const alt = String(token.content || src);
  return `<a href="${escape(src)}">🖼 ${escape(alt)}</a>`;
};

export function renderMarkdown(text: string, options: RenderOptions = {}): string {
  return sanitizeHtml(md.render(text, { ...options }));
}
