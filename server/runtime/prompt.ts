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
import type { Message, Tool } from '../../src/lib/ollama/types';
import { badRequest } from '../errors';
import type { ResolvedModel } from '../store/model-store';
import type { PromptInput } from './scheduler';
import { chatMessages, chatText, generateText } from './template-prompt';

export { DEFAULT_TEMPLATE } from './template-prompt';

export interface BuiltPrompt {
  tokens: Token[];
  /** Extra stop strings implied by the chat format (chat wrappers' end-of-turn text). */
  stop: string[];
}

/** Tokenizes rendered text; special-token text from the template becomes special tokens. */
function tokenizeRendered(model: LlamaModel, text: string, withBos: boolean): Token[] {
  const tokens = model.tokenize(text, true);
  const bos = model.tokens.bos;
  if (withBos && model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos)
    tokens.unshift(bos);
  return tokens;
}

export function buildPrompt(
  input: PromptInput,
  resolved: ResolvedModel,
  model: LlamaModel
): BuiltPrompt {
  return input.kind === 'generate'
    ? generatePrompt(input, resolved, model)
    : chatPrompt(input, resolved, model);
}

function generatePrompt(
  input: Extract<PromptInput, { kind: 'generate' }>,
  resolved: ResolvedModel,
  model: LlamaModel
): BuiltPrompt {
  const continuing = (input.context?.length ?? 0) > 0;
  const prefix = continuing ? input.context!.map((t) => t as Token) : [];
  if (input.raw) {
    if (input.suffix) throw badRequest('raw mode does not support suffix');
    return { tokens: [...prefix, ...tokenizeRendered(model, input.prompt, !continuing)], stop: [] };
  }
  const text = generateText(input, resolved);
  return { tokens: [...prefix, ...tokenizeRendered(model, text, !continuing)], stop: [] };
}

function chatPrompt(
  input: Extract<PromptInput, { kind: 'chat' }>,
  resolved: ResolvedModel,
  model: LlamaModel
): BuiltPrompt {
  const jinja = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (resolved.template === undefined && typeof jinja === 'string' && jinja.trim() !== '') {
    return jinjaPrompt(model, chatMessages(input, resolved), input.tools);
  }
  return { tokens: tokenizeRendered(model, chatText(input, resolved), true), stop: [] };
}

function jinjaPrompt(
  model: LlamaModel,
  messages: Message[],
  tools: Tool[] | undefined
): BuiltPrompt {
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
  return { tokens: state.contextText.tokenize(model.tokenizer), stop };
}
