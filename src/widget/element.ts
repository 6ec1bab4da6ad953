/**
 * <hearth-chat>: the widget's element. Inline it is a chat panel in the page's layout;
 * with the `floating` attribute (what the one-line embed creates) it is a launcher button
 * in a corner that opens the panel above the page. Everything renders in a shadow root;
 * the panel's code (Markdown renderer included) is imported only when the panel opens.
 */
import type { MountPanel, PanelConfig, PanelHandle } from './contract';
import type { HearthWidgetEngine, HearthWidgetOptions } from './hearth-widget';
import { labelsFor, pickLang } from './labels';
import { adoptCss } from './sheet';
import { LAUNCHER_ICON, LOADER_CSS } from './styles';
import type { WidgetEvents } from './events';

export interface WidgetDefaults extends HearthWidgetOptions {
  /** Where widget.js came from, ending in "/". */
  base: string;
  position?: string;
}

function engineOf(value: string): HearthWidgetEngine {
  return value === 'browser' || value === 'auto' ? value : 'server';
}

const FOCUSABLE = 'button:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';

let panelModule: Promise<{ mount: MountPanel }> | undefined;

function loadPanel(base: string): Promise<{ mount: MountPanel }> {
  // From a classic script, import() resolves against the page, so the URL is absolute.
  panelModule ??= import(/* @vite-ignore */ `${base}widget/panel.js`);
  panelModule.catch(() => (panelModule = undefined));
  return panelModule;
}

export function defineHearthChat(defaults: WidgetDefaults, events: WidgetEvents) {
  class HearthChatElement extends HTMLElement {
    private shadow?: ShadowRoot;
    private frame?: HTMLElement;
    private launcher?: HTMLButtonElement;
    private panel?: PanelHandle;
    private mounting?: Promise<void>;
    private overrides: HearthWidgetOptions = {};

    connectedCallback(): void {
      if (this.shadow) return;
      const shadow = (this.shadow = this.attachShadow({ mode: 'open' }));
      adoptCss(shadow, LOADER_CSS);
      const root = document.createElement('div');
      root.className = `root${defaults.position === 'left' ? ' left' : ''}`;
      const frame = (this.frame = document.createElement('div'));
      frame.setAttribute('part', 'panel');
      frame.dataset.testid = 'hw-panel';
      frame.addEventListener('keydown', (event) => this.onKey(event));
      if (this.floating) {
        const labels = labelsFor(this.uiLang);
        frame.className = 'frame floating';
        frame.hidden = true;
        frame.id = 'hearth-panel';
        frame.setAttribute('role', 'dialog');
        frame.setAttribute('aria-label', labels.title);
        const launcher = (this.launcher = document.createElement('button'));
        launcher.type = 'button';
        launcher.className = 'launcher';
        launcher.setAttribute('part', 'launcher');
        launcher.dataset.testid = 'hw-launcher';
        launcher.setAttribute('aria-label', labels.launcher);
        launcher.setAttribute('aria-expanded', 'false');
        launcher.setAttribute('aria-controls', frame.id);
        launcher.innerHTML = LAUNCHER_ICON;
        launcher.addEventListener('click', () => (frame.hidden ? this.open() : this.close()));
        root.append(launcher, frame);
      } else {
        frame.className = 'frame inline';
        root.append(frame);
      }
      shadow.append(root);
      if (!this.floating) void this.mountPanel();
    }

    disconnectedCallback(): void {
      this.panel?.destroy();
      this.panel = undefined;
      this.mounting = undefined;
      this.frame?.replaceChildren();
    }

    get floating(): boolean {
      return this.hasAttribute('floating');
    }

    private option(name: keyof HearthWidgetOptions): string {
      return this.overrides[name] ?? this.getAttribute(name) ?? defaults[name] ?? '';
    }

    private get uiLang() {
      return pickLang(this.option('lang'));
    }

    private config(): PanelConfig {
      const lang = this.uiLang;
      const model = this.option('model');
      const scope = this.id ? `#${this.id}` : '';
      return {
        base: this.getAttribute('server') ?? defaults.base,
        key: this.option('key'),
        model,
        lang,
        placeholder: this.option('placeholder') || labelsFor(lang).placeholder,
        system: this.option('system'),
        title: this.option('title') || labelsFor(lang).title,
        engine: engineOf(this.option('engine')),
        storageKey: `hearth-widget:${defaults.base}:${model}:${location.pathname}${scope}`
      };
    }

    /** Opens a floating panel; options given here win over the element's attributes. */
    open(options: HearthWidgetOptions = {}): void {
      const changed = Object.keys(options).length > 0;
      this.overrides = { ...this.overrides, ...options };
      if (!this.frame || !this.floating) return;
      if (changed && this.panel) {
        this.panel.destroy();
        this.panel = undefined;
        this.mounting = undefined;
      }
      const wasHidden = this.frame.hidden;
      this.frame.hidden = false;
      this.launcher?.setAttribute('aria-expanded', 'true');
      void this.mountPanel().then(() => this.panel?.focus());
      if (wasHidden) events.emit('open', undefined);
    }

    close(): void {
      if (!this.frame || !this.floating || this.frame.hidden) return;
      this.frame.hidden = true;
      this.launcher?.setAttribute('aria-expanded', 'false');
      this.launcher?.focus();
      events.emit('close', undefined);
    }

    private mountPanel(): Promise<void> {
      const frame = this.frame!;
      this.mounting ??= (async () => {
        const config = this.config();
        const labels = labelsFor(config.lang);
        const notice = document.createElement('p');
        notice.className = 'notice';
        notice.dataset.testid = 'hw-notice';
        notice.textContent = labels.loading;
        frame.replaceChildren(notice);
        try {
          const { mount } = await loadPanel(config.base);
          frame.replaceChildren();
          this.panel = mount(
            {
              shadow: this.shadow!,
              container: frame,
              close: this.floating ? () => this.close() : undefined,
              onMessage: (message) => events.emit('message', message)
            },
            config
          );
        } catch {
          this.mounting = undefined;
          notice.className = 'notice error';
          notice.setAttribute('role', 'alert');
          notice.textContent = labels.loadFailed;
        }
      })();
      return this.mounting;
    }

    /** Esc closes a floating panel; Tab stays inside it while it is open. */
    private onKey(event: KeyboardEvent): void {
      if (!this.floating) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        this.close();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = [...this.frame!.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => el.getClientRects().length > 0
      );
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      const active = this.shadow!.activeElement;
      if (event.shiftKey && (active === first || !this.frame!.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !this.frame!.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  if (!customElements.get('hearth-chat')) customElements.define('hearth-chat', HearthChatElement);
  return HearthChatElement;
}

export type HearthChatElement = ReturnType<typeof defineHearthChat>['prototype'];
