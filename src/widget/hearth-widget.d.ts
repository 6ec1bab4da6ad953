/**
 * Types of the Hearth chat widget for pages that embed it: the `window.HearthWidget` API
 * that widget.js defines, and the attributes of the `<hearth-chat>` element. Served
 * next to the script as /widget.d.ts.
 */

export type HearthWidgetLang = 'en' | 'zh-CN';

/** Options of open(); every field overrides the script tag's data-* attribute of that name. */
export interface HearthWidgetOptions {
  /** The model to chat with, as the server names it ("qwen2.5:0.5b"). */
  model?: string;
  /** The widget key an administrator created for this site (data-key). */
  key?: string;
  /** Interface language; defaults to the page's lang, then the browser's. */
  lang?: HearthWidgetLang;
  /** Placeholder of the message box. */
  placeholder?: string;
  /** A system prompt sent before the conversation. */
  system?: string;
  /** Heading of the panel. */
  title?: string;
  /**
   * Where answers are computed: "server" (the default), "browser" (the visitor's tab
   * downloads the model from the portal once and answers offline; the widget key must
   * allow it) or "auto" (the tab when the model fits this device, else the server).
   */
  engine?: HearthWidgetEngine;
}

export type HearthWidgetEngine = 'auto' | 'server' | 'browser';

export interface HearthWidgetMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface HearthWidgetEvents {
  /** A message was sent, or an answer finished. */
  message: HearthWidgetMessage;
  open: void;
  close: void;
}

export interface HearthWidgetApi {
  /** Opens the floating panel (creating the launcher first when the script tag had no data-model). */
  open(options?: HearthWidgetOptions): void;
  close(): void;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof HearthWidgetEvents>(
    event: E,
    listener: (detail: HearthWidgetEvents[E]) => void
  ): () => void;
}

/** Attributes of `<hearth-chat>`, for inline use in a page's layout. */
export interface HearthChatAttributes {
  model: string;
  key?: string;
  lang?: HearthWidgetLang;
  placeholder?: string;
  system?: string;
  title?: string;
  engine?: HearthWidgetEngine;
}

declare global {
  interface Window {
    HearthWidget?: HearthWidgetApi;
  }
}
