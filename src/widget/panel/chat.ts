/**
 * The panel's talk with Hearth: one streamed /api/chat request per answer, carrying the
 * widget key, never cookies. When a request fails, the public status probe tells apart
 * an unreachable server, a revoked or unknown key and a page whose origin is not on the
 * key's list (a refused preflight looks like a network error to the page otherwise).
 */
import { parseNdjson } from '../../lib/ollama/stream';
import type { ChatRequest, ChatResponse, Message } from '../../lib/ollama/types';
import type { WidgetState, WidgetStatusResponse } from '../../lib/ollama/widget';
import type { PanelConfig } from '../contract';

export type FailureKind = Exclude<WidgetState, 'ok'> | 'unreachable' | 'rate' | 'failed';

export class ChatFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    /** The server's own message, shown as text, when it has one. */
    readonly detail = ''
  ) {
    super(detail || kind);
    this.name = 'ChatFailure';
  }
}

/** "hw_1a2b3c4d": the part of the key that may travel in a URL. */
function keyPrefix(key: string): string {
  return /^(hw_[0-9a-f]{8})_/.exec(key)?.[1] ?? '';
}

export async function probe(config: PanelConfig): Promise<WidgetState | 'unreachable'> {
  const prefix = keyPrefix(config.key);
  if (!prefix) return 'unknown';
  try {
    const res = await fetch(`${config.base}api/widget/status?key=${prefix}`, {
      credentials: 'omit',
      cache: 'no-store'
    });
    if (!res.ok) return 'unreachable';
    return ((await res.json()) as WidgetStatusResponse).state;
  } catch {
    return 'unreachable';
  }
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** Why a request failed, asking the status probe when the answer alone cannot say. */
async function diagnose(config: PanelConfig, detail: string): Promise<ChatFailure> {
  const state = await probe(config);
  return new ChatFailure(state === 'ok' ? (detail ? 'failed' : 'unreachable') : state, detail);
}

/** Streams the answer's text as it arrives; throws ChatFailure, or AbortError on stop. */
export async function* streamChat(
  config: PanelConfig,
  messages: Message[],
  signal: AbortSignal
): AsyncGenerator<string> {
  const request: ChatRequest = {
    model: config.model,
    messages: config.system ? [{ role: 'system', content: config.system }, ...messages] : messages,
    stream: true
  };
  let res: Response;
  try {
    res = await fetch(`${config.base}api/chat`, {
      method: 'POST',
      credentials: 'omit',
      headers: { authorization: `Bearer ${config.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw await diagnose(config, '');
  }
  if (res.status === 429) throw new ChatFailure('rate', await errorText(res));
  if (res.status === 401 || res.status === 403) throw await diagnose(config, await errorText(res));
  if (!res.ok || !res.body) throw new ChatFailure('failed', await errorText(res));
  try {
    for await (const part of parseNdjson<ChatResponse>(res.body)) {
      if (part.message?.content) yield part.message.content;
      if (part.done) return;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ChatFailure('failed', (error as Error).message);
  }
}
