/**
 * The panel's talk with Hearth: one streamed /api/chat request per answer, carrying the
 * widget key (and the visitor's portal session, which counts only for a key that
 * requires sign-in). When a request fails, the public status probe tells apart an
 * unreachable server, a revoked or unknown key, a page whose origin is not on the key's
 * list (a refused preflight looks like a network error to the page otherwise) and a
 * visitor who must sign in first.
 */
import { ApiClient, ApiError, UnreachableError } from '#protocol/client';
import type { ChatRequest, ChatResponse, Message } from '#protocol/ollama/types';
import type { WidgetState, WidgetStatusResponse } from '#protocol/widget/types';
import type { PanelConfig } from '../contract';

export type FailureKind =
  | Exclude<WidgetState, 'ok'>
  | 'unreachable'
  | 'rate'
  | 'failed'
  /** engine="browser" and this tab cannot run the model (the detail says why). */
  | 'engine';

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
export function keyPrefix(key: string): string {
  return /^(hw_[0-9a-f]{8})_/.exec(key)?.[1] ?? '';
}

/** The widget's client: its key as the bearer; cookies only where asked for. */
function client(config: PanelConfig, token?: string, credentials: RequestCredentials = 'omit') {
  return new ApiClient({ baseUrl: config.base, token, credentials });
}

export interface ProbedStatus {
  state: WidgetState | 'unreachable';
  /** The key lets this page's visitors run its models in their tab. */
  browserEngine: boolean;
}

export async function probe(config: PanelConfig): Promise<WidgetState | 'unreachable'> {
  return (await probeStatus(config)).state;
}

export async function probeStatus(config: PanelConfig): Promise<ProbedStatus> {
  const prefix = keyPrefix(config.key);
  if (!prefix) return { state: 'unknown', browserEngine: false };
  const ask = (credentials: RequestCredentials) =>
    client(config, undefined, credentials).json<WidgetStatusResponse>(
      `/api/widget/status?key=${prefix}`
    );
  try {
    // First without cookies: the server answers any page that way, so a page whose
    // origin is not listed still learns why. Only a key that requires sign-in is asked
    // again with the visitor's session (the origin is listed by then, so this is allowed).
    const first = await ask('omit');
    const status = first.state === 'signin' ? await ask('include') : first;
    return { state: status.state, browserEngine: status.browserEngine === true };
  } catch {
    return { state: 'unreachable', browserEngine: false };
  }
}

/** Where a visitor signs in to the portal, returning to the portal's home page. */
export function signInUrl(config: PanelConfig): string {
  return new URL('login', config.base).href;
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
  try {
    for await (const part of client(config, config.key, 'include').ndjson<ChatResponse>(
      '/api/chat',
      {
        json: request,
        signal
      }
    )) {
      if (part.message?.content) yield part.message.content;
      if (part.done) return;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    if (error instanceof UnreachableError) throw await diagnose(config, '');
    if (error instanceof ApiError && error.status === 429)
      throw new ChatFailure('rate', error.message);
    if (error instanceof ApiError && (error.status === 401 || error.status === 403))
      throw await diagnose(config, error.message);
    throw new ChatFailure('failed', (error as Error).message);
  }
}
