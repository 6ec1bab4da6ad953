/**
 * The reactive model library: every catalog entry with its download state, the device
 * probe, and running downloads with their progress. The models page drives it; the chat
 * page reads `entries` to list ready models.
 */
import { probeDevice } from '../device/probe';
import type { DeviceProbe } from '../device/types';
import { AddModelError, addModelFromUrl, importModelFile } from '../downloads/add-model';
import { downloadModel } from '../downloads/download';
import type { DownloadProgress } from '../downloads/progress';
import { GgufError } from '../gguf/read';
import { listCatalog, removeUserModel, saveUserModel } from '../models/catalog';
import { cachedMlcModels, deleteMlcModel } from '../models/mlc-cache';
import type { CatalogModel, ModelState } from '../models/types';
import { deleteModelFiles, listModelStates, storageUsed } from '../store/model-files';
import { portalSession } from '../portal/session.svelte';
import { fetchPortalListing, isPortalModel, mergePortalCatalog } from '../portal/weights';
import {
  effectiveModelSource,
  pickModelSource,
  rememberPortalModelSource,
  setUserModelSource,
  type EffectiveSource
} from '../models/source-prefs';
import type { ModelSourceSetting } from '#protocol/portal/model-source';
import { fetchServerModels } from '../portal/server-models';
import { keepEnginesOffline } from '../sw/keep-engines';

export interface LibraryEntry {
  model: CatalogModel;
  state: ModelState | undefined;
}

/** A page-level failure (bad URL, not a GGUF file…), translatable like row errors. */
export interface LibraryError {
  message: string;
  key?: string;
  params?: Record<string, string | number>;
}

/** MLC weights are web-llm's: a cached model is 'ready' without a stored ModelState. */
function mlcState(id: string, cached: boolean): ModelState | undefined {
  return cached
    ? { id, status: 'ready', bytesStored: 0, totalBytes: 0, updatedAt: Date.now() }
    : undefined;
}

class ModelLibrary {
  entries = $state<LibraryEntry[]>([]);
  probe = $state<DeviceProbe | null>(null);
  /** Progress of running downloads/imports, by model id. */
  progress = $state<Record<string, DownloadProgress>>({});
  /** Ids with a download or import running in this tab. */
  running = $state<Record<string, boolean>>({});
  storageUsed = $state(0);
  loaded = $state(false);
  error = $state<LibraryError | null>(null);
  /** Models that run on the Hearth server (empty without a reachable portal). */
  serverModels = $state<CatalogModel[]>([]);
  /** The portal's current weights listing; stored portal entries show even without it. */
  portalWeights = $state<CatalogModel[]>([]);
  /** Where catalog downloads come from now (the user's choice, else the portal's default). */
  source = $state<EffectiveSource>(pickModelSource(null, null));

  private controllers = new Map<string, AbortController>();
  private mlcCached = new Set<string>();

  async refresh(): Promise<void> {
    try {
      const [catalog, states, used, source] = await Promise.all([
        listCatalog(),
        listModelStates(),
        storageUsed(),
        effectiveModelSource()
      ]);
      this.source = source;
      const byId = new Map(states.map((s) => [s.id, s]));
      this.entries = mergePortalCatalog(catalog, this.portalWeights).map((model) => ({
        model,
        state:
          model.format === 'mlc'
            ? mlcState(model.id, this.mlcCached.has(model.id))
            : byId.get(model.id)
      }));
      this.storageUsed = used;
      if (this.entries.some((e) => e.state?.status === 'ready')) keepEnginesOffline();
    } catch (e) {
      this.error = { message: `Could not read the model library: ${(e as Error).message}` };
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Probes the device, asks the portal (when this app was served by one) for its weights
   * and server models, then learns which MLC models web-llm already holds.
   */
  async init(): Promise<void> {
    // The local catalog shows at once; the portal's entries join when it answers.
    const [probe] = await Promise.all([
      probeDevice(),
      this.refresh(),
      this.loadPortal().then(() => this.refresh())
    ]);
    this.probe = probe;
    if (probe.webgpu.available) {
      const mlc = this.entries.filter((e) => e.model.format === 'mlc').map((e) => e.model);
      this.mlcCached = await cachedMlcModels(mlc).catch(() => new Set<string>());
      await this.refresh();
    }
  }

  /** Offline or signed out, both lists are simply empty: stored portal models still show. */
  async loadPortal(): Promise<void> {
    await portalSession.check();
    if (!portalSession.canUse) {
      this.serverModels = [];
      this.portalWeights = [];
      return;
    }
    const [server, listing] = await Promise.all([
      fetchServerModels().catch(() => [] as CatalogModel[]),
      fetchPortalListing().catch(() => null)
    ]);
    this.serverModels = server;
    this.portalWeights = listing?.models ?? [];
    // Offline or refused, the default remembered from the portal's last answer stays.
    if (listing) await rememberPortalModelSource(listing.modelSource).catch(() => {});
  }

  /** The user's own model source; null follows the portal's default (or Hugging Face). */
  async setSource(setting: ModelSourceSetting | null): Promise<void> {
    await setUserModelSource(setting);
    this.source = await effectiveModelSource();
  }

  async reprobe(): Promise<void> {
    this.probe = await probeDevice({ refresh: true });
  }

  private setState(state: ModelState): void {
    const entry = this.entries.find((e) => e.model.id === state.id);
    if (entry) entry.state = state;
  }

  private track(id: string): AbortController {
    const controller = new AbortController();
    this.controllers.set(id, controller);
    this.running[id] = true;
    return controller;
  }

  private untrack(id: string): void {
    this.controllers.delete(id);
    delete this.running[id];
    delete this.progress[id];
  }

  /** Starts or resumes a GGUF download; MLC models go through the engine (web-llm fetches). */
  async download(model: CatalogModel): Promise<void> {
    if (this.running[model.id]) return;
    // Keep the portal's entry from now on, so the model stays listed (and ready) offline.
    if (isPortalModel(model)) {
      try {
        await saveUserModel(model);
      } catch (e) {
        this.error = { message: (e as Error).message };
        return;
      }
    }
    if (model.format === 'mlc') return this.loadMlc(model);
    const controller = this.track(model.id);
    try {
      await downloadModel(model, {
        signal: controller.signal,
        onProgress: (p) => (this.progress[model.id] = p),
        onState: (s) => this.setState(s)
      });
    } catch (e) {
      this.error = { message: (e as Error).message };
    } finally {
      this.untrack(model.id);
      await this.refresh();
    }
  }

  private async loadMlc(model: CatalogModel): Promise<void> {
    this.running[model.id] = true;
    try {
      const { engineRuntime } = await import('../engines/runtime.svelte');
      await engineRuntime.load(model);
      this.mlcCached.add(model.id);
    } catch (e) {
      this.error = { message: `${model.name}: ${(e as Error).message}` };
    } finally {
      delete this.running[model.id];
      await this.refresh();
    }
  }

  /** Stops a running download; what was stored stays for Resume. */
  async cancel(model: CatalogModel): Promise<void> {
    if (model.format === 'mlc') {
      const { engineRuntime } = await import('../engines/runtime.svelte');
      await engineRuntime.unload();
      return;
    }
    this.controllers.get(model.id)?.abort();
  }

  /** Deletes the weights; entries the user added disappear with them. */
  async remove(model: CatalogModel): Promise<void> {
    this.controllers.get(model.id)?.abort();
    try {
      if (model.format === 'mlc') {
        await deleteMlcModel(model);
        this.mlcCached.delete(model.id);
      } else {
        await deleteModelFiles(model.id);
      }
      // The portal lists its models again while reachable; offline they go with their weights.
      if (!model.builtin) await removeUserModel(model.id);
    } catch (e) {
      this.error = { message: (e as Error).message };
    }
    await this.refresh();
  }

  async addFromUrl(url: string, name?: string): Promise<void> {
    this.error = null;
    let model: CatalogModel;
    try {
      model = await addModelFromUrl(url, name);
    } catch (e) {
      this.error = asLibraryError(e);
      return;
    }
    await this.refresh();
    await this.download(model);
  }

  async addFromFile(file: File): Promise<void> {
    this.error = null;
    const key = `file:${file.name}:${file.size}`;
    const controller = this.track(key);
    let id: string | null = null;
    try {
      await importModelFile(file, {
        signal: controller.signal,
        onProgress: (p) => {
          this.progress[key] = p;
          if (id) this.progress[id] = p;
        },
        onState: (s) => {
          if (!id) {
            // The entry exists from now on: show its row, with progress and Cancel.
            id = s.id;
            this.controllers.set(id, controller);
            this.running[id] = true;
            void this.refresh();
          }
          this.setState(s);
        }
      });
    } catch (e) {
      this.error = asLibraryError(e);
    } finally {
      this.untrack(key);
      if (id) this.untrack(id);
      await this.refresh();
    }
  }

  /** Running file imports, for a progress line above the table. */
  get imports(): Array<{ key: string; progress: DownloadProgress | undefined }> {
    return Object.keys(this.running)
      .filter((k) => k.startsWith('file:'))
      .map((key) => ({ key, progress: this.progress[key] }));
  }
}

function asLibraryError(e: unknown): LibraryError {
  if (e instanceof GgufError || e instanceof AddModelError) {
    return { message: e.message, key: e.key, params: e.params };
  }
  return { message: (e as Error).message };
}

export const modelLibrary = new ModelLibrary();
