/**
 * The panel's client for the browser engine: a hidden iframe of the portal's engine page
 * (src/lib/embed/engine-host.ts), reached over a private MessagePort once the page says
 * it is listening. A host page whose CSP has no frame-src for the portal, or an origin the
 * key does not list (the portal's frame-ancestors), never hears from the frame: that ends
 * as 'unreachable' after a while instead of a panel that waits forever.
 */
import type { Message } from '#protocol/ollama/types';
import type { EngineReply, EngineRequest, EngineRefusal } from '#protocol/widget/engine';
import { WIDGET_ENGINE_PAGE } from '#protocol/widget/types';
import type { PanelConfig } from '../contract';
import { keyPrefix } from './chat';

const CONNECT_TIMEOUT_MS = 20_000;

export type EngineCheck =
  | { ok: true; sizeBytes: number; stored: boolean }
  | { ok: false; refusal: EngineRefusal; message: string };

export type EngineEvent =
  | { kind: 'progress'; phase: 'fetch' | 'init'; loaded?: number; total?: number }
  | { kind: 'text'; content: string };

export class BrowserEngineFailure extends Error {
  constructor(
    readonly refusal: EngineRefusal,
    message: string
  ) {
    super(message);
    this.name = 'BrowserEngineFailure';
  }
}

type Listener = (reply: EngineReply) => void;

export class BrowserEngine {
  private readonly frame: HTMLIFrameElement;
  private readonly port: Promise<MessagePort>;
  private readonly listeners = new Map<number, Listener>();
  private nextId = 1;
  private stopListening = () => {};

  constructor(
    private readonly config: PanelConfig,
    container: HTMLElement
  ) {
    const origin = new URL(config.base).origin;
    const frame = (this.frame = document.createElement('iframe'));
    frame.hidden = true;
    frame.title = 'Hearth engine';
    frame.dataset.testid = 'hw-engine-frame';
    frame.src = `${new URL(WIDGET_ENGINE_PAGE.slice(1), config.base).href}?key=${keyPrefix(config.key)}`;
    this.port = new Promise<MessagePort>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BrowserEngineFailure('unreachable', 'the engine page did not answer')),
        CONNECT_TIMEOUT_MS
      );
      const onMessage = (event: MessageEvent) => {
        if (event.source !== frame.contentWindow || event.origin !== origin) return;
        if (event.data?.type !== 'hearth-engine-ready') return;
        clearTimeout(timer);
        removeEventListener('message', onMessage);
        const channel = new MessageChannel();
        channel.port1.onmessage = (e: MessageEvent<EngineReply>) =>
          this.listeners.get(e.data.id)?.(e.data);
        frame.contentWindow!.postMessage({ type: 'hearth-engine-connect' }, origin, [
          channel.port2
        ]);
        resolve(channel.port1);
      };
      addEventListener('message', onMessage);
      this.stopListening = () => {
        clearTimeout(timer);
        removeEventListener('message', onMessage);
      };
    });
    // A rejection nobody awaited yet must not surface as an unhandled one.
    this.port.catch(() => undefined);
    container.append(frame);
  }

  private async send(request: EngineRequest, listener: Listener): Promise<void> {
    const port = await this.port;
    this.listeners.set(request.id, listener);
    port.postMessage(request);
  }

  /** Whether this tab can run the model for this key (fetches the listing, not the weights). */
  async check(): Promise<EngineCheck> {
    const id = this.nextId++;
    try {
      return await new Promise<EngineCheck>((resolve) => {
        void this.send({ op: 'check', id, key: this.config.key, model: this.config.model }, (r) => {
          if (r.op !== 'checked') return;
          resolve(
            r.ok
              ? { ok: true, sizeBytes: r.sizeBytes, stored: r.stored }
              : { ok: false, refusal: r.refusal, message: r.message }
          );
        }).catch((error: Error) =>
          resolve({
            ok: false,
            refusal: error instanceof BrowserEngineFailure ? error.refusal : 'failed',
            message: error.message
          })
        );
      });
    } finally {
      this.listeners.delete(id);
    }
  }

  /** The answer's text and the model's download and start-up progress, as they come. */
  async *chat(messages: Message[], signal: AbortSignal): AsyncGenerator<EngineEvent> {
    const id = this.nextId++;
    const queue: EngineReply[] = [];
    let wake = () => {};
    const request: EngineRequest = {
      op: 'chat',
      id,
      key: this.config.key,
      model: this.config.model,
      messages
    };
    await this.send(request, (r) => {
      queue.push(r);
      wake();
    });
    const onAbort = () => void this.port.then((port) => port.postMessage({ op: 'stop', id }));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const reply = queue.shift();
        if (!reply) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (reply.op === 'chunk') yield { kind: 'text', content: reply.content };
        else if (reply.op === 'progress')
          yield { kind: 'progress', phase: reply.phase, loaded: reply.loaded, total: reply.total };
        else if (reply.op === 'failed')
          throw new BrowserEngineFailure(reply.refusal, reply.message);
        else if (reply.op === 'done') {
          if (signal.aborted) throw new DOMException('stopped', 'AbortError');
          return;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.listeners.delete(id);
    }
  }

  destroy(): void {
    this.stopListening();
    void this.port.then((port) => port.close()).catch(() => undefined);
    this.frame.remove();
  }
}
