/**
 * What the widget's panel (on a host page) and its engine page (an iframe on the portal's
 * origin, WIDGET_ENGINE_PAGE) say to each other. The page announces itself to its parent
 * with EngineAnnouncement; the panel answers with EngineConnect and a MessagePort, and
 * every request and reply after that travels on the port, so nothing else on the host
 * page can read or forge them.
 */
import type { Message } from '../ollama/types';

/** Engine page → parent window, once it listens (carries nothing). */
export interface EngineAnnouncement {
  type: 'hearth-engine-ready';
}

/** Parent → engine page, with the port as the message's one transfer. */
export interface EngineConnect {
  type: 'hearth-engine-connect';
}

/** Why the tab cannot run the model; the panel then answers through the server ("auto") or says so. */
export type EngineRefusal =
  /** The key does not let visitors download (its browser engine is off), or the portal refused. */
  | 'refused'
  /** The key's models do not include this one, or the portal offers no GGUF of it. */
  | 'not-offered'
  /** Too big for this device (memory, wasm heap, storage). */
  | 'does-not-fit'
  /**
   * The browser denies the engine page storage: it is framed by another site and the
   * browser blocks third-party storage (e.g. a private window), so nothing could be kept.
   */
  | 'no-storage'
  | 'unreachable'
  | 'failed';

export type EngineRequest =
  /** Can this tab run the model? Fetches the listing, never the weights. */
  | { op: 'check'; id: number; key: string; model: string }
  /** Answer: downloads (once, verified) and loads the model as needed. */
  | { op: 'chat'; id: number; key: string; model: string; messages: Message[] }
  | { op: 'stop'; id: number };

export type EngineReply =
  | { op: 'checked'; id: number; ok: true; sizeBytes: number; stored: boolean }
  | { op: 'checked'; id: number; ok: false; refusal: EngineRefusal; message: string }
  /** fetch: weights from the portal; init: starting the engine. */
  | { op: 'progress'; id: number; phase: 'fetch' | 'init'; loaded?: number; total?: number }
  | { op: 'chunk'; id: number; content: string }
  | { op: 'done'; id: number }
  | { op: 'failed'; id: number; refusal: EngineRefusal; message: string };
