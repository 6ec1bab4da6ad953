/**
 * The loader's CSS: the host element, the launcher and the panel's frame. The host page's
 * styles cannot reach inside the shadow root, but they do reach the host element and
 * pass inherited properties (fonts, colours, visibility) through it: `all: initial
 * !important` on :host cuts both, because an !important rule of the shadow tree wins
 * over any rule of the page. Custom properties are untouched by `all`, which is what
 * lets a page theme the widget with --hearth-* variables.
 */
export const LOADER_CSS = `
:host {
  all: initial !important;
  display: block !important;
  contain: layout style !important;
}
:host([floating]) { display: contents !important; }
:host([hidden]) { display: none !important; }
.root {
  --accent: var(--hearth-accent, #c2410c);
  --on-accent: var(--hearth-on-accent, #ffffff);
  --bg: var(--hearth-bg, #ffffff);
  --fg: var(--hearth-fg, #1c1917);
  --muted: var(--hearth-muted, #6b625c);
  --border: var(--hearth-border, #e4ddd8);
  --soft: var(--hearth-soft, #f6f2ef);
  --danger: var(--hearth-danger, #b91c1c);
  --radius: var(--hearth-radius, 12px);
  font-family: var(--hearth-font, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif);
  font-size: 14px;
  line-height: 1.5;
  color: var(--fg);
  text-align: start;
  box-sizing: border-box;
}
@media (prefers-color-scheme: dark) {
  .root {
    --bg: var(--hearth-bg, #1c1917);
    --fg: var(--hearth-fg, #f5f0eb);
    --muted: var(--hearth-muted, #a8a29e);
    --border: var(--hearth-border, #3a3430);
    --soft: var(--hearth-soft, #292421);
    --danger: var(--hearth-danger, #f87171);
    --accent: var(--hearth-accent, #fb923c);
    --on-accent: var(--hearth-on-accent, #1c1917);
  }
}
.root *, .root *::before, .root *::after { box-sizing: border-box; }
.launcher {
  position: fixed;
  bottom: 20px;
  right: 20px;
  z-index: var(--hearth-z, 2147483000);
  width: 56px;
  height: 56px;
  display: grid;
  place-items: center;
  margin: 0;
  padding: 0;
  border: 0;
  border-radius: 50%;
  background: var(--accent);
  color: var(--on-accent);
  box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
  cursor: pointer;
}
.root.left .launcher, .root.left .frame.floating { right: auto; left: 20px; }
.launcher svg { width: 26px; height: 26px; display: block; }
.launcher:focus-visible, .root button:focus-visible, .root textarea:focus-visible {
  outline: 2px solid var(--accent);
  outline-offset: 2px;
}
.frame {
  display: flex;
  flex-direction: column;
  background: var(--bg);
  color: var(--fg);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  overflow: hidden;
}
.frame.inline { width: 100%; height: var(--hearth-height, 480px); }
.frame.floating {
  position: fixed;
  right: 20px;
  bottom: 88px;
  z-index: var(--hearth-z, 2147483000);
  width: min(var(--hearth-width, 380px), calc(100vw - 24px));
  height: min(var(--hearth-height, 560px), calc(100vh - 112px));
  box-shadow: 0 12px 40px rgb(0 0 0 / 0.28);
}
.frame[hidden] { display: none; }
.notice { margin: auto; padding: 16px; color: var(--muted); text-align: center; }
.notice.error { color: var(--danger); }
`;

export const LAUNCHER_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';
