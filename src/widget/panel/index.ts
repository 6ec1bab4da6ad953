/**
 * The chat panel, imported by widget.js when a panel opens: conversation, streaming
 * answers, stop, new chat, and a clear message instead of a blank panel whenever the
 * server (or the browser engine) cannot answer. With engine="browser" or "auto" the
 * answers may come from the visitor's own tab (./browser-engine.ts); the panel says which.
 */
import type { MountPanel } from '../contract';
import type { HearthWidgetMessage } from '../hearth-widget';
import { labelsFor, type Labels } from '../labels';
import { adoptCss } from '../sheet';
import { fillTemplate, formatBytes } from '../../lib/util/format';
import type { Message } from '#protocol/ollama/types';
import type { EngineRefusal } from '#protocol/widget/engine';
import { BrowserEngine, BrowserEngineFailure } from './browser-engine';
import {
  ChatFailure,
  probe,
  probeStatus,
  signInUrl,
  streamChat,
  type FailureKind,
  type ProbedStatus
} from './chat';
import { loadConversation, saveConversation } from './conversation';
import { PANEL_CSS } from './styles';
import { buildView, emptyNote, messageView, type PanelView } from './view';

const adopted = new WeakSet<ShadowRoot>();

/** Refusals that no retry can fix: the panel stops offering to send. */
const FINAL: ReadonlySet<FailureKind> = new Set(['origin', 'revoked', 'unknown', 'off']);

function failureText(labels: Labels, failure: ChatFailure): string {
  switch (failure.kind) {
    case 'failed':
      return `${labels.failed} ${failure.detail}`;
    case 'rate':
      return labels.rateLimited;
    case 'engine':
      return `${labels.noBrowserEngine} ${failure.detail}`;
    default:
      return labels[failure.kind];
  }
}

/** Why the tab cannot run the model, in the visitor's language where the cause is known. */
function engineReason(labels: Labels, refusal: EngineRefusal, message: string): string {
  switch (refusal) {
    case 'refused':
      return labels.engineRefused;
    case 'not-offered':
      return labels.engineNotOffered;
    case 'does-not-fit':
      return labels.engineDoesNotFit;
    case 'no-storage':
      return labels.engineNoStorage;
    default:
      return message;
  }
}

export const mount: MountPanel = (host, config) => {
  if (!adopted.has(host.shadow)) {
    adoptCss(host.shadow, PANEL_CSS);
    adopted.add(host.shadow);
  }
  const labels = labelsFor(config.lang);
  const view: PanelView = buildView(host.container, labels, {
    title: config.title,
    model: config.model,
    placeholder: config.placeholder,
    closable: host.close !== undefined
  });
  let messages: HearthWidgetMessage[] = loadConversation(config.storageKey);
  let running: AbortController | undefined;
  let destroyed = false;
  let browser: BrowserEngine | undefined;
  /** The engine line while the tab answers; empty while answers come from the server. */
  let inTab = '';
  let notInTab = '';

  const say = (text: string) => {
    view.engine.textContent = text;
    view.engine.hidden = !text;
  };

  // Asked once on open: whether this page may use the key at all, and whether the key
  // lets the tab run its models (no engine frame is made for a key that does not).
  const status = probeStatus(config);

  /** Picks the engine: the tab when asked for ("browser") or when it fits ("auto"). */
  const choose = async (): Promise<void> => {
    if (config.engine === 'server') return;
    const { state, browserEngine } = await status;
    // A page that cannot use the key at all is told so by the status check below.
    if (destroyed || (state !== 'ok' && state !== 'signin')) return;
    if (browserEngine) browser ??= new BrowserEngine(config, host.container);
    const check = browser
      ? await browser.check()
      : ({ ok: false, refusal: 'refused', message: '' } as const);
    if (destroyed) return;
    if (check.ok) {
      inTab = labels.inBrowser;
      say(
        check.stored
          ? inTab
          : `${inTab} ${fillTemplate(labels.firstDownload, { size: formatBytes(check.sizeBytes) })}`
      );
      return;
    }
    notInTab = engineReason(labels, check.refusal, check.message);
    if (config.engine === 'browser') {
      showFailure(new ChatFailure('engine', notInTab));
      return;
    }
    browser?.destroy();
    browser = undefined;
    say(labels.onServer);
  };
  let chosen = choose();

  /** The answer's text as it comes, from whichever engine was chosen. */
  async function* answerStream(history: Message[], signal: AbortSignal): AsyncGenerator<string> {
    await chosen;
    if (config.engine === 'browser' && !inTab) {
      chosen = choose(); // the visitor asks again: maybe the cause is gone
      await chosen;
      if (!inTab) throw new ChatFailure('engine', notInTab);
    }
    if (!browser || !inTab) {
      yield* streamChat(config, history, signal);
      return;
    }
    const withSystem: Message[] = config.system
      ? [{ role: 'system', content: config.system }, ...history]
      : history;
    try {
      for await (const event of browser.chat(withSystem, signal)) {
        if (event.kind === 'text') {
          if (view.engine.textContent !== inTab) say(inTab);
          yield event.content;
        } else if (event.phase === 'init') say(labels.starting);
        else if (event.total)
          say(
            fillTemplate(labels.downloading, {
              done: formatBytes(event.loaded ?? 0),
              total: formatBytes(event.total)
            })
          );
      }
    } catch (error) {
      if (error instanceof BrowserEngineFailure) {
        say(inTab);
        if (error.refusal === 'unreachable') throw new ChatFailure('unreachable');
        throw new ChatFailure('engine', engineReason(labels, error.refusal, error.message));
      }
      throw error;
    }
  }

  const showFailure = (failure: ChatFailure) => {
    view.banner.textContent = failureText(labels, failure);
    if (failure.kind === 'signin') {
      const link = document.createElement('a');
      link.href = signInUrl(config);
      link.target = '_blank';
      link.rel = 'noopener';
      link.dataset.testid = 'hw-signin';
      link.textContent = labels.signInLink;
      view.banner.append(' ', link);
    }
    view.banner.dataset.kind = failure.kind;
    view.banner.hidden = false;
    const final = FINAL.has(failure.kind);
    view.input.disabled = final;
    view.send.disabled = final;
  };
  const clearFailure = () => {
    view.banner.hidden = true;
    view.banner.textContent = '';
    delete view.banner.dataset.kind;
  };

  const renderAll = () => {
    view.log.replaceChildren(
      ...(messages.length === 0
        ? [emptyNote(labels)]
        : messages.map((m) => messageView(m, labels).root))
    );
    view.log.scrollTop = view.log.scrollHeight;
  };

  const setBusy = (busy: boolean) => {
    view.send.hidden = busy;
    view.stop.hidden = !busy;
    view.input.disabled = busy;
    if (!busy) view.input.focus();
    else view.stop.focus();
  };

  const ask = async (text: string) => {
    clearFailure();
    const question: HearthWidgetMessage = { role: 'user', content: text };
    messages = [...messages, question];
    saveConversation(config.storageKey, messages);
    renderAll();
    host.onMessage(question);
    const answer = messageView({ role: 'assistant', content: '' }, labels);
    answer.root.classList.add('streaming');
    const controller = (running = new AbortController());
    setBusy(true);
    let content = '';
    let frame = 0;
    try {
      view.log.append(answer.root);
      for await (const piece of answerStream(messages, controller.signal)) {
        content += piece;
        // One Markdown render per animation frame, however fast tokens arrive.
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          answer.setText(content);
          view.log.scrollTop = view.log.scrollHeight;
        });
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        answer.root.remove();
        showFailure(error instanceof ChatFailure ? error : new ChatFailure('unreachable'));
      } else content = content ? `${content}\n\n${labels.stopped}` : labels.stopped;
    } finally {
      cancelAnimationFrame(frame);
      running = undefined;
    }
    if (destroyed) return;
    if (content && answer.root.isConnected) {
      answer.setText(content);
      answer.root.classList.remove('streaming');
      const reply: HearthWidgetMessage = { role: 'assistant', content };
      messages = [...messages, reply];
      saveConversation(config.storageKey, messages);
      host.onMessage(reply);
    }
    const final = view.banner.dataset.kind && FINAL.has(view.banner.dataset.kind as FailureKind);
    setBusy(false);
    if (final) view.input.disabled = true;
    view.log.scrollTop = view.log.scrollHeight;
  };

  view.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = view.input.value.trim();
    if (!text || running || view.send.disabled) return;
    view.input.value = '';
    void ask(text);
  });
  view.input.addEventListener('keydown', (event) => {
    // Enter sends; Shift+Enter is a new line; an IME (pinyin) uses Enter to confirm.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    view.form.requestSubmit();
  });
  view.stop.addEventListener('click', () => running?.abort());
  view.newChat.addEventListener('click', () => {
    running?.abort();
    messages = [];
    saveConversation(config.storageKey, messages);
    renderAll();
    view.input.focus();
  });
  view.close?.addEventListener('click', () => host.close?.());
  view.log.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const copy = target.closest<HTMLElement>('[data-copy-code]');
    const code = copy?.closest('.code-block')?.querySelector('pre code');
    if (code) void navigator.clipboard?.writeText(code.textContent ?? '');
  });

  // Say at once when this page cannot use the key, before the visitor types anything.
  const check = (state: Promise<ProbedStatus['state']>) =>
    void state.then((state) => {
      if (destroyed) return;
      if (state !== 'ok') showFailure(new ChatFailure(state));
      else if (view.banner.dataset.kind === 'signin') clearFailure();
    });
  // A visitor asked to sign in does so in another tab; coming back re-checks.
  const recheck = () => {
    if (view.banner.dataset.kind === 'signin' && !running) check(probe(config));
  };
  renderAll();
  check(status.then((s) => s.state));
  window.addEventListener('focus', recheck);

  return {
    focus: () => (view.input.disabled ? view.newChat : view.input).focus(),
    destroy() {
      destroyed = true;
      running?.abort();
      browser?.destroy();
      window.removeEventListener('focus', recheck);
      host.container.replaceChildren();
    }
  };
};
