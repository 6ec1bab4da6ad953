/**
 * Puts CSS into a shadow root. Constructable stylesheets first: a host page whose CSP
 * has no 'unsafe-inline' in style-src blocks <style> elements, but not these.
 */
export function adoptCss(shadow: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  shadow.append(style);
}
