/**
 * Turns a generate prompt or a chat transcript into prompt tokens, the way Ollama does:
 * the model's Go template (or the request's), with "{{ .Prompt }}" as the default.
 * A model with no Ollama template but a Jinja chat template inside its GGUF
 * (tokenizer.chat_template) is rendered for chat through node-llama-cpp's chat wrappers.
 */
import {
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatModelFunctions,
  type LlamaModel,
  type Token
} from 'node-llama-cpp';
import type { Message, Tool } from '#protocol/ollama/types';
import { InvalidInputError } from '../domain-errors';
import type { ResolvedModel } from '../store/model-store';
import type { PromptInput } from './scheduler';
import { chatMessages, chatText, generateText } from './template-prompt';
import { charBudget, keepTail, tokenizeInPieces, tokenizeLlamaText } from './tokenize';

export { DEFAULT_TEMPLATE } from './template-prompt';

export interface BuiltPrompt {
  tokens: Token[];
  /** Extra stop strings implied by the chat format (chat wrappers' end-of-turn text). */
  stop: string[];
}

/**
 * Tokenizes rendered text; special-token text from the template becomes special tokens.
 * Only the newest tokens fit the context, so text beyond what it could hold is cut first.
 */
async function tokenizeRendered(
  model: LlamaModel,
  text: string,
  withBos: boolean,
  contextSize: number
): Promise<Token[]> {
  const kept = keepTail(text, charBudget(contextSize));
  const tokens = await tokenizeInPieces(model.tokenizer, kept, { special: true });
  const bos = model.tokens.bos;
  if (withBos && model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos)
    tokens.unshift(bos);
  return tokens;
}

export function buildPrompt(
  input: PromptInput,
  resolved: ResolvedModel,
  model: LlamaModel,
  contextSize: number
): Promise<BuiltPrompt> {
  return input.kind === 'generate'
    ? generatePrompt(input, resolved, model, contextSize)
    : chatPrompt(input, resolved, model, contextSize);
}

async function generatePrompt(
  input: Extract<PromptInput, { kind: 'generate' }>,
  resolved: ResolvedModel,
  model: LlamaModel,
  contextSize: number
): Promise<BuiltPrompt> {
  const continuing = (input.context?.length ?? 0) > 0;
  const prefix = continuing ? input.context!.map((t) => t as Token) : [];
  if (input.raw) {
    if (input.suffix) throw new InvalidInputError('raw mode does not support suffix');
    const tokens = await tokenizeRendered(model, input.prompt, !continuing, contextSize);
    return { tokens: [...prefix, ...tokens], stop: [] };
  }
  const text = generateText(input, resolved);
  const tokens = await tokenizeRendered(model, text, !continuing, contextSize);
  return { tokens: [...prefix, ...tokens], stop: [] };
}

async function chatPrompt(
  input: Extract<PromptInput, { kind: 'chat' }>,
  resolved: ResolvedModel,
  model: LlamaModel,
  contextSize: number
): Promise<BuiltPrompt> {
  const jinja = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (resolved.template === undefined && typeof jinja === 'string' && jinja.trim() !== '') {
    return jinjaPrompt(model, chatMessages(input, resolved), input.tools, contextSize);
  }
  const text = chatText(input, resolved);
  return { tokens: await tokenizeRendered(model, text, true, contextSize), stop: [] };
}

async function jinjaPrompt(
  model: LlamaModel,
  messages: Message[],
  tools: Tool[] | undefined,
  contextSize: number
): Promise<BuiltPrompt> {
  const wrapper = resolveChatWrapper(model);
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'assistant') return { type: 'model', response: [m.content] };
    if (m.role === 'tool') return { type: 'user', text: m.content };
    return { type: 'user', text: m.content };
  });
  // A model turn at the end is left open by the wrapper: an empty one asks for the
  // assistant prefix; a final assistant message is continued, as Ollama continues it.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  const functions: ChatModelFunctions | undefined = tools?.length
    ? Object.fromEntries(
        tools.map((t) => [
          t.function.name,
          { description: t.function.description, params: t.function.parameters as never }
        ])
      )
    : undefined;
  const state = wrapper.generateContextState({
    chatHistory: history,
    availableFunctions: functions
  });
  const stop = state.stopGenerationTriggers
    .map((trigger) => trigger.values.filter((v): v is string => typeof v === 'string').join(''))
    .filter((s) => s.length > 0);
  const tokens = await tokenizeLlamaText(
    state.contextText,
    model.tokenizer,
    charBudget(contextSize)
  );
  return { tokens, stop };
}
