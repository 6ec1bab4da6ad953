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
import { compileTemplate, TemplateError, type CompiledTemplate } from './template';

export const DEFAULT_TEMPLATE = '{{ .Prompt }}';

export interface BuiltPrompt {
  tokens: Token[];
  /** Extra stop strings implied by the chat format (chat wrappers' end-of-turn text). */
  stop: string[];
}

const compiled = new Map<string, CompiledTemplate>();

function templateFor(source: string): CompiledTemplate {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = compileTemplate(source);
    } catch (error) {
      if (error instanceof TemplateError) throw badRequest(error.message);
      throw error;
    }
    if (compiled.size > 64) compiled.clear();
    compiled.set(source, template);
  }
  return template;
}

function render(template: CompiledTemplate, data: Record<string, unknown>): string {
  try {
    return template.render(data);
  } catch (error) {
    if (error instanceof TemplateError) throw badRequest(error.message);
    throw error;
  }
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
  const template = templateFor(input.template ?? resolved.template ?? DEFAULT_TEMPLATE);
  if (input.suffix && !template.uses('Suffix'))
    throw badRequest(`${resolved.name} does not support insert`);
  const system = input.system ?? resolved.system ?? '';
  let text: string;
  if (template.uses('Messages')) {
    const messages: Message[] = system ? [{ role: 'system', content: system }] : [];
    messages.push({ role: 'user', content: input.prompt });
    text = render(template, {
      System: system,
      Prompt: input.prompt,
      Suffix: input.suffix ?? '',
      Messages: messages,
      Response: ''
    });
  } else {
    text = renderTurns(template, [{ system, prompt: input.prompt, response: '' }], input.suffix);
  }
  return { tokens: [...prefix, ...tokenizeRendered(model, text, !continuing)], stop: [] };
}

function chatPrompt(
  input: Extract<PromptInput, { kind: 'chat' }>,
  resolved: ResolvedModel,
  model: LlamaModel
): BuiltPrompt {
  const messages = [...resolved.messages, ...input.messages];
  if (resolved.system && !messages.some((m) => m.role === 'system')) {
    messages.unshift({ role: 'system', content: resolved.system });
  }
  const jinja = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (resolved.template === undefined && typeof jinja === 'string' && jinja.trim() !== '') {
    return jinjaPrompt(model, messages, input.tools);
  }
  const template = templateFor(resolved.template ?? DEFAULT_TEMPLATE);
  if (template.uses('Messages')) {
    const system = messages.filter((m) => m.role === 'system').at(-1)?.content ?? '';
    const text = render(template, {
      System: system,
      Messages: messages,
      Tools: input.tools ?? [],
      Prompt: '',
      Response: ''
    });
    return { tokens: tokenizeRendered(model, text, true), stop: [] };
  }
  return {
    tokens: tokenizeRendered(model, renderTurns(template, legacyTurns(messages)), true),
    stop: []
  };
}

interface Turn {
  system: string;
  prompt: string;
  response: string;
}

/** Pairs messages into system/prompt/response turns for templates that predate .Messages. */
function legacyTurns(messages: Message[]): Turn[] {
  const turns: Turn[] = [];
  let current: Turn = { system: '', prompt: '', response: '' };
  for (const message of messages) {
    if (message.role === 'system') {
      if (current.prompt || current.response) {
        turns.push(current);
        current = { system: '', prompt: '', response: '' };
      }
      current.system = message.content;
    } else if (message.role === 'assistant') {
      current.response += message.content;
      turns.push(current);
      current = { system: '', prompt: '', response: '' };
    } else {
      if (current.response) {
        turns.push(current);
        current = { system: '', prompt: '', response: '' };
      }
      current.prompt += (current.prompt ? '\n' : '') + message.content;
    }
  }
  turns.push(current);
  return turns;
}

const RESPONSE_MARK = '\u0000hearth-response\u0000';

/**
 * Renders each turn; the last one stops where its response would begin, as in Ollama.
 * A template without {{ .Response }} gets it appended, so earlier replies still appear.
 */
function renderTurns(template: CompiledTemplate, turns: Turn[], suffix?: string): string {
  const withResponse = template.uses('Response')
    ? template
    : templateFor(template.source + '{{ .Response }}');
  return turns
    .map((turn, i) => {
      const last = i === turns.length - 1;
      const text = render(withResponse, {
        System: turn.system,
        Prompt: turn.prompt,
        Response: last ? RESPONSE_MARK : turn.response,
        Suffix: suffix ?? '',
        Messages: []
      });
      if (!last) return text;
      const cut = text.indexOf(RESPONSE_MARK);
      return cut >= 0 ? text.slice(0, cut) : text;
    })
    .join('');
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
  // An empty model turn at the end asks the wrapper for the assistant prefix.
  history.push({ type: 'model', response: [] });
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
