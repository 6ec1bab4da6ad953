/**
 * The open conversation as reactive state: its messages, the answer being streamed, and
 * the actions on them (send, stop, regenerate, edit & resend, continue a cut answer). The engine is reached only
 * through `ChatRuntime` (engineRuntime in the app, a fake in unit tests), and every change
 * is written through the conversation store so a reload shows exactly what was on screen.
 */
import type { ChatRequest, ChatResponse, Options } from '#protocol/ollama/types';
import type { Conversation } from '../store/db';
import { EngineError, type EngineErrorCode, type EngineKind } from '../engines/engine';
import type { CatalogModel } from '../models/types';
import {
  ConversationStore,
  ThrottledMessageWriter,
  type ChatMessage
} from '../store/conversations';
import { oldestTurnLength, withinContext } from '../engines/context-fit';
import {
  autoTitle,
  buildChatRequest,
  cleanTitle,
  contextStart,
  mergeStats,
  titleRequest
} from './request';
import { defaultOptions } from './params';
import { PacedText } from './paced-text';
import { answerStats, StreamMeter } from './stream-meter';

/** The slice of engineRuntime the chat needs. */
export interface ChatRuntime {
  readonly kind: EngineKind | null;
  chat(
    model: CatalogModel,
    request: ChatRequest,
    signal?: AbortSignal
  ): AsyncIterable<ChatResponse>;
}

export type ChatFailureCode = EngineErrorCode | 'no-model' | 'unknown';

export interface ChatFailure {
  code: ChatFailureCode;
  /** The engine's own words, shown as is. */
  message: string;
}

/**
 * Whether a model in this browser can be asked for a title: MLC models are chat models
 * unless marked; a GGUF only once its chat template was seen (downloaded files are read).
 */
function knownToChat(model: CatalogModel): boolean {
  return model.format === 'mlc' ? !model.completionOnly : model.completionOnly === false;
}

export interface ChatSessionDeps {
  store: ConversationStore;
  runtime: ChatRuntime;
  resolveModel: (id: string) => CatalogModel | undefined;
  /** Coalesces streaming writes; tests may pass a shorter interval. */
  writer?: ThrottledMessageWriter;
  /** The clock that times a stopped answer's tokens (ms); tests pass their own. */
  now?: () => number;
  /**
   * Whether a new conversation is titled by its model after the first answer (a setting;
   * read each time). Absent: titles stay the first message's opening words.
   */
  generateTitles?: () => Promise<boolean>;
  /**
   * Whether a server model follows a chat (the model list does not say; its /api/show
   * does). Absent: server models keep the first words of the message as title.
   */
  serverModelChats?: (model: CatalogModel) => Promise<boolean>;
}

export interface DraftInit {
  modelId?: string | null;
  options?: Options;
  systemPrompt?: string;
}

function draft(init: DraftInit = {}): Conversation {
  const now = Date.now();
  return {
    id: '',
    title: '',
    createdAt: now,
    updatedAt: now,
    modelId: init.modelId ?? null,
    systemPrompt: init.systemPrompt ?? '',
    options: init.options ?? defaultOptions()
  };
}

export class ChatSession {
  /** A draft (id '') until its first message is sent, so empty chats never clutter the list. */
  conversation = $state<Conversation>(draft());
  messages = $state<ChatMessage[]>([]);
  streamingId = $state<string | null>(null);
  error = $state<ChatFailure | null>(null);
  readonly busy = $derived(this.streamingId !== null);
  readonly isDraft = $derived(this.conversation.id === '');

  /** Called after anything that changes the sidebar (new conversation, new title, activity). */
  onListChange: () => void = () => {};

  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private readonly writer: ThrottledMessageWriter;

  constructor(private readonly deps: ChatSessionDeps) {
    this.writer = deps.writer ?? new ThrottledMessageWriter(deps.store);
  }

  async newDraft(init: DraftInit = {}): Promise<void> {
    await this.stopAndWait();
    this.conversation = draft(init);
    this.messages = [];
    this.error = null;
  }

  async open(id: string): Promise<boolean> {
    await this.stopAndWait();
    const conversation = await this.deps.store.get(id);
    if (!conversation) return false;
    const messages = await this.deps.store.messages(id);
    this.conversation = conversation;
    this.messages = messages;
    this.error = null;
    return true;
  }

  /** Sends `text` as the user; false when nothing was sent (empty, busy or no model). */
  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || this.busy) return false;
    const model = this.currentModel();
    if (!model) return false;
    if (this.isDraft) {
      this.conversation = await this.deps.store.create({
        ...$state.snapshot(this.conversation),
        title: autoTitle(content)
      });
    }
    const user = await this.deps.store.append(this.conversation.id, { role: 'user', content });
    this.messages.push(user);
    this.conversation.updatedAt = user.createdAt;
    this.onListChange();
    await this.generate(model);
    await this.titleFromFirstAnswer(model);
    return true;
  }

  /**
   * Names a conversation after its first exchange, by the model that answered, in its
   * language. A base model (no chat template) cannot be asked, and a stopped or failed
   * answer is no basis: those keep the first message's opening words, as does any failure.
   */
  private async titleFromFirstAnswer(model: CatalogModel): Promise<void> {
    const [question, answer] = this.messages;
    if (this.messages.length !== 2 || question.role !== 'user' || answer.role !== 'assistant')
      return;
    if (answer.error || answer.stopped || !answer.content.trim()) return;
    if (!(await this.deps.generateTitles?.())) return;
    const chats =
      model.source.kind === 'server'
        ? await (this.deps.serverModelChats?.(model) ?? false)
        : knownToChat(model);
    if (!chats) return;
    const id = this.conversation.id;
    let reply = '';
    try {
      for await (const chunk of this.deps.runtime.chat(
        model,
        titleRequest(model.id, question.content, answer.content)
      ))
        reply += chunk.message?.content ?? '';
    } catch {
      return;
    }
    const title = cleanTitle(reply);
    if (!title) return;
    await this.deps.store.rename(id, title);
    if (this.conversation.id === id) this.conversation.title = title;
    this.onListChange();
  }

  /** Stops the answer being streamed; what arrived so far is kept, with its stats, as stopped. */
  stop(): void {
    this.abort?.abort();
  }

  /** Replaces the last answer with a new one. */
  async regenerate(): Promise<void> {
    if (this.busy || this.isDraft) return;
    const lastUser = this.messages.findLastIndex((m) => m.role === 'user');
    if (lastUser < 0) return;
    const model = this.currentModel();
    if (!model) return;
    await this.deps.store.truncateAfter(this.conversation.id, this.messages[lastUser].seq);
    this.messages = this.messages.slice(0, lastUser + 1);
    await this.generate(model);
  }

  /** Rewrites a past user message, drops everything after it, and asks again. */
  async editAndResend(messageId: string, text: string): Promise<void> {
    const content = text.trim();
    if (!content || this.busy) return;
    const index = this.messages.findIndex((m) => m.id === messageId && m.role === 'user');
    if (index < 0) return;
    const model = this.currentModel();
    if (!model) return;
    const message = this.messages[index];
    await this.deps.store.truncateAfter(this.conversation.id, message.seq);
    await this.deps.store.updateMessage(messageId, { content });
    message.content = content;
    this.messages = this.messages.slice(0, index + 1);
    await this.generate(model);
  }

  /**
   * Writes on from where the length cap cut the last answer, appending to that same
   * message (the request ends with the partial answer: see buildChatRequest).
   */
  async continueAnswer(): Promise<void> {
    if (this.busy || this.isDraft) return;
    const last = this.messages.at(-1);
    if (last?.role !== 'assistant' || !last.cutAt || last.error) return;
    const model = this.currentModel();
    if (!model) return;
    await this.generate(model, true);
  }

  /** The first message the model still sees, when earlier ones were let go. */
  get firstInViewId(): string | null {
    const start = contextStart(this.messages, this.conversation.contextFrom);
    return start > 0 ? (this.messages[start]?.id ?? null) : null;
  }

  /**
   * Whether the model's view holds a turn that could be let go: something before the last
   * question. When not, the question alone is longer than the context window.
   */
  get canLetTurnsGo(): boolean {
    const start = contextStart(this.messages, this.conversation.contextFrom);
    return oldestTurnLength(this.messages.slice(start)) > 0;
  }

  /**
   * The reader's answer to a conversation that outgrew the context window: the oldest
   * turns leave the model's view, now and from then on as needed, and the last question
   * is answered again. The transcript keeps them, marked as no longer seen.
   */
  async letOldTurnsGo(): Promise<void> {
    if (this.busy || this.isDraft) return;
    this.conversation.dropOldTurns = true;
    await this.persistSettings({ dropOldTurns: true });
    await this.regenerate();
  }

  /** Moves the start of the model's view past its oldest turn; false when none is left. */
  private async letOldestTurnGo(): Promise<boolean> {
    const start = contextStart(this.messages, this.conversation.contextFrom);
    const inView = this.messages.slice(start);
    const length = oldestTurnLength(inView);
    if (length === 0) return false;
    const contextFrom = inView[length].seq;
    this.conversation.contextFrom = contextFrom;
    await this.persistSettings({ contextFrom });
    return true;
  }

  async setModel(modelId: string | null): Promise<void> {
    this.conversation.modelId = modelId;
    await this.persistSettings({ modelId });
  }

  async setSystemPrompt(systemPrompt: string): Promise<void> {
    this.conversation.systemPrompt = systemPrompt;
    await this.persistSettings({ systemPrompt });
  }

  async setTags(tags: string[]): Promise<void> {
    this.conversation.tags = tags;
    await this.persistSettings({ tags: [...tags] });
    this.onListChange();
  }

  async setOptions(options: Options): Promise<void> {
    this.conversation.options = options;
    await this.persistSettings({ options: $state.snapshot(options) as Options });
  }

  /** After the sidebar renamed the open conversation. */
  setTitle(title: string): void {
    this.conversation.title = title;
  }

  private currentModel(): CatalogModel | undefined {
    const id = this.conversation.modelId;
    const model = id ? this.deps.resolveModel(id) : undefined;
    this.error = model ? null : { code: 'no-model', message: id ?? '' };
    return model;
  }

  private async persistSettings(patch: Partial<Conversation>): Promise<void> {
    if (!this.isDraft) await this.deps.store.update(this.conversation.id, patch);
  }

  private async stopAndWait(): Promise<void> {
    this.stop();
    await this.running;
  }

  private generate(model: CatalogModel, continuing = false): Promise<void> {
    this.running = this.stream(model, continuing).finally(() => (this.running = null));
    return this.running;
  }

  /** A new, empty answer at the end of the transcript. */
  private async appendAnswer(): Promise<void> {
    const answer = await this.deps.store.append(this.conversation.id, {
      role: 'assistant',
      content: ''
    });
    this.messages.push(answer);
  }

  /** Streams a new answer, or (continuing) more of the last one into the same message. */
  private async stream(model: CatalogModel, continuing: boolean): Promise<void> {
    const { runtime } = this.deps;
    // Built again after a turn was let go; the empty answer appended below is left out.
    const requestNow = () =>
      buildChatRequest(
        model.id,
        $state.snapshot(this.conversation) as Conversation,
        $state.snapshot(this.messages) as ChatMessage[],
        model.contextLength
      );
    const request = requestNow();
    if (!continuing) await this.appendAnswer();
    // The proxied copy: writing to it updates the screen token by token.
    const live = this.messages[this.messages.length - 1];
    const answerId = live.id;
    const earlier = continuing
      ? { tokens: live.cutAt ?? 0, stats: $state.snapshot(live.stats) }
      : { tokens: 0, stats: undefined };
    live.cutAt = undefined;
    const abort = new AbortController();
    this.abort = abort;
    this.streamingId = answerId;
    this.error = null;
    let final: ChatResponse | null = null;
    const meter = new StreamMeter(this.deps.now);
    const shown = new PacedText((text) => {
      live.content += text;
      this.writer.schedule(answerId, { content: live.content });
    });
    try {
      const chunks = withinContext(
        () => runtime.chat(model, requestNow(), abort.signal),
        () => this.conversation.dropOldTurns === true && this.letOldestTurnGo()
      );
      for await (const chunk of chunks) {
        if (abort.signal.aborted) break;
        const token = chunk.message?.content ?? '';
        if (token) {
          meter.token();
          shown.add(token);
        }
        if (chunk.done) final = chunk;
      }
      shown.flush();
      if (abort.signal.aborted) live.stopped = true;
      if (final?.done_reason === 'length' && !abort.signal.aborted) {
        // Engines that report no count (an interrupted usage block) ran up to the cap.
        const ran = final.eval_count || request.options?.num_predict || 0;
        live.cutAt = earlier.tokens + ran;
      }
    } catch (err) {
      if (abort.signal.aborted || (err instanceof EngineError && err.code === 'aborted')) {
        live.stopped = true;
      } else {
        const message = err instanceof Error ? err.message : String(err);
        live.error = message || 'unknown error';
        this.error = {
          code: err instanceof EngineError ? err.code : 'unknown',
          message: live.error
        };
      }
    } finally {
      shown.flush();
      // A stopped answer keeps its stats too; a failed one shows its error instead.
      const kind = runtime.kind;
      const measured = kind && !live.error ? answerStats(final, meter, kind, model.id) : undefined;
      if (measured) live.stats = mergeStats(earlier.stats, measured);
      this.abort = null;
      const { content, stats, stopped, error, cutAt } = $state.snapshot(live);
      try {
        await this.writer.flush(answerId, { content, stats, stopped, error, cutAt });
      } finally {
        // Busy until the answer is stored: leaving the page the moment the composer says
        // "ready" must not lose the end of the answer.
        this.streamingId = null;
      }
      this.onListChange();
    }
  }
}
