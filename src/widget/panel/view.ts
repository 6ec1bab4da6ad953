/**
 * The panel's DOM, built with properties and textContent only: the host page's
 * attributes (title, placeholder, model) and the visitor's words are never parsed as
 * HTML. The one exception is an answer, rendered by the app's Markdown renderer, whose
 * output DOMPurify has sanitized.
 */
import type { HearthWidgetMessage } from '../hearth-widget';
import type { Labels } from '../labels';
import { renderMarkdown } from '../../lib/markdown';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  testid?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (testid) node.dataset.testid = testid;
  return node;
}

function button(className: string, label: string, testid: string): HTMLButtonElement {
  const node = el('button', className, testid);
  node.type = 'button';
  node.textContent = label;
  return node;
}

export interface PanelView {
  /** Where answers come from, and the model's download or start-up while it lasts. */
  engine: HTMLElement;
  banner: HTMLElement;
  log: HTMLElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  newChat: HTMLButtonElement;
  close?: HTMLButtonElement;
  form: HTMLFormElement;
}

export function buildView(
  container: HTMLElement,
  labels: Labels,
  options: { title: string; model: string; placeholder: string; closable: boolean }
): PanelView {
  const head = el('div', 'head');
  const title = el('h2', 'title', 'hw-title');
  title.textContent = options.title;
  const model = el('span', 'model', 'hw-model');
  model.textContent = options.model;
  title.append(model);
  const newChat = button('tool', labels.newChat, 'hw-new');
  head.append(title, newChat);
  let close: HTMLButtonElement | undefined;
  if (options.closable) {
    close = button('tool', '×', 'hw-close');
    close.setAttribute('aria-label', labels.close);
    head.append(close);
  }
  const engine = el('p', 'engine', 'hw-engine');
  engine.setAttribute('role', 'status');
  engine.hidden = true;
  const banner = el('p', 'banner', 'hw-banner');
  banner.setAttribute('role', 'alert');
  banner.hidden = true;
  const log = el('div', 'log', 'hw-log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  const form = el('form', 'composer');
  const input = el('textarea', '', 'hw-input');
  input.placeholder = options.placeholder;
  input.setAttribute('aria-label', options.placeholder);
  input.rows = 1;
  const send = el('button', 'send', 'hw-send');
  send.type = 'submit';
  send.textContent = labels.send;
  const stop = button('send stop', labels.stop, 'hw-stop');
  stop.hidden = true;
  form.append(input, send, stop);
  container.append(head, engine, banner, log, form);
  return { engine, banner, log, input, send, stop, newChat, close, form };
}

export function emptyNote(labels: Labels): HTMLElement {
  const note = el('p', 'empty', 'hw-empty');
  note.textContent = labels.empty;
  return note;
}

export interface MessageView {
  root: HTMLElement;
  setText(text: string): void;
}

/** One message; an answer renders as Markdown and offers a copy button. */
export function messageView(message: HearthWidgetMessage, labels: Labels): MessageView {
  const root = el('div', `msg ${message.role}`, 'hw-message');
  root.dataset.role = message.role;
  const who = el('span', 'who');
  who.textContent = message.role === 'user' ? labels.you : labels.assistant;
  const body = el('div', 'body');
  root.append(who, body);
  let text = message.content;
  const setText = (next: string) => {
    text = next;
    if (message.role === 'user') body.textContent = next;
    else body.innerHTML = renderMarkdown(next, { copyLabel: labels.copy });
  };
  setText(text);
  if (message.role === 'assistant') {
    const copy = button('tool copy', labels.copy, 'hw-copy');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(text).then(() => {
        copy.textContent = labels.copied;
        setTimeout(() => (copy.textContent = labels.copy), 1500);
      });
    });
    root.append(copy);
  }
  return { root, setText };
}
