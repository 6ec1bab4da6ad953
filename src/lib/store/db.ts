/**
 * The browser's one IndexedDB database (dexie). Conversations and messages are the
 * user's work; models and modelChunks hold GGUF weights in fixed-size chunks so a cut
 * download resumes where it stopped and a reload reads them back as Blobs.
 * web-llm keeps its own MLC cache (its `cacheBackend: 'indexeddb'`), not in here.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { Message, Metrics, Options } from '#protocol/ollama/types';
import type { CatalogModel, EngineKind, ModelState } from '../models/types';

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** Model last used here; the next send defaults to it. */
  modelId: string | null;
  systemPrompt: string;
  options: Options;
  /** Kept at the top of the list, whatever was used since. */
  pinned?: boolean;
  /** The reader's own labels, to filter the list by (see chat/tags). */
  tags?: string[];
  /**
   * The reader let the oldest turns go once the conversation outgrew the context window:
   * from then on they are dropped as needed instead of asking again.
   */
  dropOldTurns?: boolean;
  /** seq of the first message the model still sees; earlier ones were let go. */
  contextFrom?: number;
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  role: Message['role'];
  content: string;
  createdAt: number;
  /** Position in the conversation; edits truncate everything after it. */
  seq: number;
  /** Assistant answers: what ran it and how fast. */
  stats?: Metrics & { engine: EngineKind; modelId: string; tokensPerSecond?: number };
  error?: string;
  /** An answer the user stopped half-way: kept, and shown as stopped. */
  stopped?: boolean;
  /** An answer the length cap cut off (done_reason "length"): its tokens so far. */
  cutAt?: number;
}

export interface Setting {
  key: string;
  value: unknown;
}

/** A user-added catalog entry (built-in ones live in code). */
export type StoredModel = CatalogModel;

export interface ModelChunk {
  modelId: string;
  index: number;
  data: Blob;
}

export class HearthDB extends Dexie {
  conversations!: EntityTable<Conversation, 'id'>;
  messages!: EntityTable<StoredMessage, 'id'>;
  settings!: EntityTable<Setting, 'key'>;
  models!: EntityTable<StoredModel, 'id'>;
  modelStates!: EntityTable<ModelState, 'id'>;
  modelChunks!: Dexie.Table<ModelChunk, [string, number]>;

  constructor(name = 'hearth') {
    super(name);
    this.version(1).stores({
      conversations: 'id, updatedAt',
      messages: 'id, conversationId, [conversationId+seq]',
      settings: 'key',
      models: 'id',
      modelStates: 'id, status',
      modelChunks: '[modelId+index], modelId'
    });
  }
}

let instance: HearthDB | null = null;

/** The app's database; tests may pass their own name for isolation. */
export function db(): HearthDB {
  instance ??= new HearthDB();
  return instance;
}
