/**
 * Export / import of all conversations as one JSON file. Import validates the whole file
 * before touching the database, then writes in one transaction: a bad file changes nothing.
 * Conversations whose id already exists are skipped (never overwritten), so importing the
 * same backup twice is harmless.
 */
import { z } from 'zod';
import { db, type Conversation, type HearthDB } from './db';
import type { ChatMessage } from './conversations';
import { newId } from '../util/id';
import { MAX_TAG_LENGTH, MAX_TAGS } from './tags';
import { savedOptionsSchema } from '#protocol/ollama/options-schema';

// The app's Content-Security-Policy forbids eval: without this, zod probes `new Function`
// once to decide on its fast path, and the probe is reported as a policy violation.
z.config({ jitless: true });

export const EXPORT_FORMAT = 'hearth-conversations';
export const EXPORT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const statsSchema = z.object({
  engine: z.enum(['webgpu', 'wasm', 'remote']),
  modelId: z.string(),
  tokensPerSecond: finite.optional(),
  total_duration: finite.optional(),
  load_duration: finite.optional(),
  prompt_eval_count: finite.optional(),
  prompt_eval_duration: finite.optional(),
  eval_count: finite.optional(),
  eval_duration: finite.optional()
});

const messageSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().optional(),
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  createdAt: finite,
  seq: z.number().int().min(0),
  stats: statsSchema.optional(),
  error: z.string().optional(),
  stopped: z.boolean().optional(),
  cutAt: z.number().int().min(1).optional()
});

const conversationSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  createdAt: finite,
  updatedAt: finite,
  modelId: z.string().nullable(),
  systemPrompt: z.string(),
  options: savedOptionsSchema(),
  pinned: z.boolean().optional(),
  tags: z
    .array(
      z
        .string()
        .min(1)
        .max(MAX_TAG_LENGTH * 2)
    )
    .max(MAX_TAGS)
    .optional(),
  dropOldTurns: z.boolean().optional(),
  contextFrom: z.number().int().min(0).optional(),
  messages: z.array(messageSchema)
});

const fileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string(),
  conversations: z.array(conversationSchema)
});

export type ExportFile = z.infer<typeof fileSchema>;

export interface ImportResult {
  imported: number;
  skipped: number;
  messages: number;
}

/** A file that cannot be imported; `message` names the first problem and where it is. */
/**
 * A refused import file. `message` is English (logs, tests); `key` and `params` name the
 * same cause for the page to say in the reader's language (chat.importErrors.<key>).
 */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly key: string,
    readonly params: Record<string, string> = {}
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

export async function exportConversations(
  database: HearthDB = db(),
  now = new Date()
): Promise<ExportFile> {
  return database.transaction('r', database.conversations, database.messages, async () => {
    const conversations = await database.conversations.orderBy('updatedAt').reverse().toArray();
    const messages = (await database.messages.toArray()) as ChatMessage[];
    const byConversation = new Map<string, ChatMessage[]>();
    for (const m of messages) {
      const list = byConversation.get(m.conversationId);
      if (list) list.push(m);
      else byConversation.set(m.conversationId, [m]);
    }
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: now.toISOString(),
      conversations: conversations.map((c) => ({
        ...c,
        messages: (byConversation.get(c.id) ?? []).sort((a, b) => a.seq - b.seq)
      }))
    } satisfies ExportFile;
  });
}

export function exportFileName(now = new Date()): string {
  return `hearth-conversations-${now.toISOString().slice(0, 10)}.json`;
}

/** Parses and validates an export file without touching the database. */
export function parseExportFile(text: string): ExportFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const detail = (err as Error).message;
    throw new TransferError(`Not valid JSON: ${detail}`, 'notJson', { detail });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TransferError('Not a Hearth export: the file is not a JSON object', 'notObject');
  }
  const head = raw as Record<string, unknown>;
  if (head.format !== EXPORT_FORMAT) {
    const format = String(JSON.stringify(head.format) ?? 'undefined');
    throw new TransferError(
      `Not a Hearth export: "format" is ${format}, expected "${EXPORT_FORMAT}"`,
      'wrongFormat',
      { format, expected: EXPORT_FORMAT }
    );
  }
  if (head.version !== EXPORT_VERSION) {
    const version = String(JSON.stringify(head.version) ?? 'undefined');
    const supported = String(EXPORT_VERSION);
    throw new TransferError(
      `Unsupported export version ${version} (this Hearth reads version ${supported})`,
      'wrongVersion',
      { version, supported }
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'file';
    throw new TransferError(`Invalid export file at ${where}: ${issue.message}`, 'invalidAt', {
      where,
      detail: issue.message
    });
  }
  const ids = new Set<string>();
  for (const [i, c] of parsed.data.conversations.entries()) {
    if (ids.has(c.id)) {
      const where = `conversations.${i}.id`;
      throw new TransferError(`Duplicate conversation id at ${where}`, 'duplicateId', { where });
    }
    ids.add(c.id);
  }
  return parsed.data;
}

/** Validates `text` fully, then adds the conversations that are not already stored. */
export async function importConversations(
  text: string,
  database: HearthDB = db()
): Promise<ImportResult> {
  const file = parseExportFile(text);
  const { conversations, messages } = database;
  return database.transaction('rw', conversations, messages, async () => {
    const existing = new Set(
      (await conversations.bulkGet(file.conversations.map((c) => c.id))).flatMap((c) =>
        c ? [c.id] : []
      )
    );
    const fresh = file.conversations.filter((c) => !existing.has(c.id));
    const rows = fresh.map(({ messages: list, ...conversation }) => ({
      conversation: conversation satisfies Conversation,
      messages: list.map((m) => ({ ...m, conversationId: conversation.id }) as ChatMessage)
    }));
    const allMessages = rows.flatMap((r) => r.messages);
    // Message ids are internal: one clashing with a stored message gets a new id, not an overwrite.
    const clashes = await messages.bulkGet(allMessages.map((m) => m.id));
    const seen = new Set<string>();
    for (const [i, m] of allMessages.entries()) {
      if (clashes[i] || seen.has(m.id)) m.id = newId();
      seen.add(m.id);
    }
    await conversations.bulkAdd(rows.map((r) => r.conversation));
    await messages.bulkAdd(allMessages);
    return {
      imported: fresh.length,
      skipped: file.conversations.length - fresh.length,
      messages: allMessages.length
    };
  });
}
