/**
 * The widget's browser engine, run by the engine page (WIDGET_ENGINE_PAGE) that a host
 * page's panel frames. It lives on the portal's origin so that every page embedding the
 * widget shares one copy of the weights in this origin's IndexedDB — the same store and
 * the same "portal:<name>" entries the app itself uses — where the browser's storage
 * partitioning allows (one copy per top-level site; see README "Put Hearth on your site").
 *
 * It answers only its parent window, over the MessagePort the panel hands it, and uses
 * the widget key only if it is the key the page was framed for (the server allowed the
 * framing from that key's origins alone).
 */
import { ApiClient, ApiError, UnreachableError } from '#protocol/client';
import { normalizeModelName } from '#protocol/ollama/names';
import type { Options } from '#protocol/ollama/types';
import type { GgufWeights, PortalWeightsResponse } from '#protocol/portal/types';
import type {
  EngineAnnouncement,
  EngineRefusal,
  EngineReply,
  EngineRequest
} from '#protocol/widget/engine';
import { WIDGET_MAX_ANSWER_TOKENS } from '#protocol/widget/types';
import { probeDevice } from '../device/probe';
import { downloadModel } from '../downloads/download';
import { EngineError } from '../engines/engine';
import { WasmEngine } from '../engines/wasm';
import { fitVerdict } from '../models/fit';
import type { CatalogModel } from '../models/types';
import { ggufWeightsToCatalog } from '../portal/weights';
import { db } from '../store/db';
import { getModelState } from '../store/model-files';

class Refused extends Error {
  constructor(
    readonly refusal: EngineRefusal,
    message: string
  ) {
    super(message);
  }
}

interface Offer {
  model: CatalogModel;
  parameters: Options;
}

const sameModel = (a: string, b: string) => {
  try {
    return normalizeModelName(a).toLowerCase() === normalizeModelName(b).toLowerCase();
  } catch {
    return false;
  }
};

/** IndexedDB, unless the browser denies it to this frame (third-party storage blocked). */
async function assertStorage(): Promise<void> {
  try {
    await db().open();
  } catch (error) {
    throw new Refused(
      'no-storage',
      `this browser keeps no storage for the assistant on this site (${(error as Error).name})`
    );
  }
}

/** The key's offer of this model, checked against this device. */
async function offerFor(key: string, name: string, signal?: AbortSignal): Promise<Offer> {
  await assertStorage();
  let listing: PortalWeightsResponse;
  try {
    listing = await new ApiClient({ token: key, credentials: 'same-origin' }).json(
      '/api/portal/weights',
      { signal }
    );
  } catch (error) {
    if (error instanceof UnreachableError) throw new Refused('unreachable', error.message);
    if (error instanceof ApiError) throw new Refused('refused', error.message);
    throw error;
  }
  const weights = listing.models.find(
    (m): m is GgufWeights => m.format === 'gguf' && sameModel(m.name, name)
  );
  if (!weights)
    throw new Refused('not-offered', `${name} is not offered for this browser by the portal`);
  const model = ggufWeightsToCatalog(weights);
  const stored = await getModelState(model.id);
  const fit = fitVerdict(model, await probeDevice(), 'wasm', {
    bytesStored: stored?.bytesStored ?? 0
  });
  if (fit.verdict === 'does-not-fit') throw new Refused('does-not-fit', fit.reason);
  return { model, parameters: weights.parameters ?? {} };
}

/** The model's own answer length, within the widget's cap (as the server holds it). */
function answerCap(parameters: Options): number {
  const asked = parameters.num_predict;
  return typeof asked === 'number' && asked > 0
    ? Math.min(Math.floor(asked), WIDGET_MAX_ANSWER_TOKENS)
    : WIDGET_MAX_ANSWER_TOKENS;
}

function refusalOf(error: unknown): { refusal: EngineRefusal; message: string } {
  if (error instanceof Refused) return error;
  const message = error instanceof Error ? error.message : String(error);
  const tooBig = error instanceof EngineError && error.code === 'does-not-fit';
  return { refusal: tooBig ? 'does-not-fit' : 'failed', message };
}

export function serveWidgetEngine(framedFor: string | null): void {
  const engine = new WasmEngine();
  /** Set only once a load succeeded (the engine keeps naming a model whose load failed). */
  let loaded: string | undefined;
  const running = new Map<number, AbortController>();
  const owns = (key: string) => framedFor !== null && key.startsWith(`${framedFor}_`);

  async function ensureLoaded(
    key: string,
    offer: Offer,
    reply: (r: EngineReply) => void,
    id: number,
    signal: AbortSignal
  ) {
    const state = await downloadModel(offer.model, {
      signal,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', `Bearer ${key}`);
        return fetch(input, { ...init, headers, credentials: 'same-origin' });
      },
      onProgress: (p) =>
        reply({ op: 'progress', id, phase: 'fetch', loaded: p.bytes, total: p.total })
    });
    if (state.status !== 'ready')
      throw new Refused('failed', state.error ?? `${offer.model.name} could not be downloaded`);
    if (loaded === offer.model.id) return;
    loaded = undefined;
    await engine.load(
      offer.model,
      (p) => p.phase === 'init' && reply({ op: 'progress', id, phase: 'init' }),
      signal
    );
    loaded = offer.model.id;
  }

  async function handle(request: EngineRequest, reply: (r: EngineReply) => void) {
    if (request.op === 'stop') {
      running.get(request.id)?.abort();
      return;
    }
    const { id } = request;
    const controller = new AbortController();
    running.set(id, controller);
    try {
      if (!owns(request.key))
        throw new Refused('refused', 'this engine page was opened for another widget key');
      // Every question asks the portal again, so a revoked key or a withdrawn model stops
      // the tab on its next question, as it stops the server engine.
      const offer = await offerFor(request.key, request.model, controller.signal);
      if (request.op === 'check') {
        const stored = (await getModelState(offer.model.id))?.status === 'ready';
        reply({ op: 'checked', id, ok: true, sizeBytes: offer.model.sizeBytes, stored });
        return;
      }
      await ensureLoaded(request.key, offer, reply, id, controller.signal);
      for await (const part of engine.chat(
        {
          model: offer.model.name,
          messages: request.messages,
          stream: true,
          options: { ...offer.parameters, num_predict: answerCap(offer.parameters) }
        },
        controller.signal
      )) {
        if (part.message?.content) reply({ op: 'chunk', id, content: part.message.content });
      }
      reply({ op: 'done', id });
    } catch (error) {
      if (controller.signal.aborted) {
        reply({ op: 'done', id });
        return;
      }
      const { refusal, message } = refusalOf(error);
      reply(
        request.op === 'check'
          ? { op: 'checked', id, ok: false, refusal, message }
          : { op: 'failed', id, refusal, message }
      );
    } finally {
      running.delete(id);
    }
  }

  // One connection at a time, from the parent only; a new panel (a reload of the host
  // page's widget) replaces the old port.
  let port: MessagePort | undefined;
  addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window.parent || event.data?.type !== 'hearth-engine-connect') return;
    const next = event.ports[0];
    if (!next) return;
    port?.close();
    port = next;
    const reply = (r: EngineReply) => next.postMessage(r);
    next.onmessage = (e: MessageEvent<EngineRequest>) => void handle(e.data, reply);
  });
  if (window.parent !== window) {
    const hello: EngineAnnouncement = { type: 'hearth-engine-ready' };
    // It carries nothing, so any parent may hear it; the panel checks it came from its frame.
    window.parent.postMessage(hello, '*');
  }
}
