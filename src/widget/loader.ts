/**
 * widget.js: what a host page's one script tag runs.
 *
 *   <script src="https://hearth.example/widget.js" data-model="qwen2.5:0.5b"
 *           data-key="hw_…" async></script>
 *
 * It defines <hearth-chat>, adds a floating launcher when the tag names a model, and
 * exposes window.HearthWidget (typed in hearth-widget.d.ts). It stays small: the panel
 * and its Markdown renderer are fetched from the same server when the panel opens.
 */
import { defineHearthChat, type HearthChatElement, type WidgetDefaults } from './element';
import { WidgetEvents } from './events';
import type { HearthWidgetApi, HearthWidgetOptions } from './hearth-widget';

function install(): void {
  if (window.HearthWidget) return; // the tag is on the page twice
  const script = document.currentScript as HTMLScriptElement | null;
  const data = script?.dataset ?? {};
  const defaults: WidgetDefaults = {
    base: new URL('.', script?.src || location.href).href,
    model: data.model,
    key: data.key,
    lang: data.lang === 'zh-CN' || data.lang === 'en' ? data.lang : undefined,
    placeholder: data.placeholder,
    system: data.system,
    title: data.title,
    engine: data.engine === 'browser' || data.engine === 'auto' ? data.engine : undefined,
    position: data.position
  };
  const events = new WidgetEvents();
  const Element = defineHearthChat(defaults, events);
  let launcher: HearthChatElement | undefined;

  const ensureLauncher = (): HearthChatElement => {
    if (!launcher) {
      launcher = new Element();
      launcher.setAttribute('floating', '');
      document.body.append(launcher);
    }
    return launcher;
  };

  const api: HearthWidgetApi = {
    open: (options?: HearthWidgetOptions) => ensureLauncher().open(options),
    close: () => launcher?.close(),
    on: (event, listener) => events.on(event, listener)
  };
  window.HearthWidget = api;

  if (defaults.model) {
    if (document.body) ensureLauncher();
    else document.addEventListener('DOMContentLoaded', ensureLauncher, { once: true });
  }
}

install();
