/**
 * Ollama's Template.Execute and the messages its generate and chat handlers give it:
 * which model messages and system prompt a request gets, how same-role messages are
 * merged, the .Messages path, and the turn-by-turn path of .Prompt/.Response templates.
 * Pure text in, text out, so it can be tested without a model.
 */
import type { Message, Tool } from '#protocol/ollama/types';
import { InvalidInputError, ModelDefectError } from '../domain-errors';
import type { ResolvedModel } from '../store/model-store';
import type { PromptInput } from './scheduler';
import { compileTemplate, RenderBudget, TemplateError, type CompiledTemplate } from './template';
import { DEFAULT_LIMITS } from './template-budget';
import { collate, templateMessages, templateTools } from './template-data';

export const DEFAULT_TEMPLATE = '{{ .Prompt }}';

export type TemplateModel = Pick<ResolvedModel, 'name' | 'template' | 'system' | 'messages'>;

/** Whose template it is decides whose fault a failure is. */
type Origin = 'request' | 'model';

/**
 * A request's own template that fails is the client's mistake (400). A model's template
 * that fails to parse or run is the model's (500, as in Ollama); one that runs out of
 * budget was given more than it can render (400).
 */
function failure(error: unknown, origin: Origin): unknown {
  if (!(error instanceof TemplateError)) return error;
  if (origin === 'request') return new InvalidInputError(error.message);
  if (error.kind === 'limit') return new InvalidInputError(`${error.message} (model template)`);
  return new ModelDefectError(`model ${error.message}`);
}

const compiled = new Map<string, CompiledTemplate>();

function templateFor(source: string, origin: Origin): CompiledTemplate {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = compileTemplate(source);
    } catch (error) {
      throw failure(error, origin);
    }
    if (compiled.size > 64) compiled.clear();
    compiled.set(source, template);
  }
  return template;
}

/**
 * Compiles a request's own template up front, so a broken one is a 400 before any model
 * is loaded for it (as Ollama parses it before scheduling).
 */
export function checkRequestTemplate(source: string): void {
  templateFor(source, 'request');
}

/** The text of a templated (not raw) generate prompt, as Ollama's generate renders it. */
export function generateText(
  input: Extract<PromptInput, { kind: 'generate' }>,
  resolved: TemplateModel
): string {
  const continuing = (input.context?.length ?? 0) > 0;
  const origin: Origin = input.template ? 'request' : 'model';
  const source = input.template || resolved.template || DEFAULT_TEMPLATE;
  if (input.suffix && !templateFor(source, origin).uses('Suffix'))
    throw new InvalidInputError(`${resolved.name} does not support insert`);
  // As Ollama's generate: the system prompt, the model's example messages unless this
  // continues an earlier context, then the prompt as a user message.
  const system = input.system || resolved.system;
  const messages: Message[] = system ? [{ role: 'system', content: system }] : [];
  if (!continuing) messages.push(...resolved.messages);
  messages.push({ role: 'user', content: input.prompt });
  return execute(source, origin, {
    messages,
    // Ollama passes no tools with a request's template and an empty list otherwise.
    tools: origin === 'request' ? null : [],
    prompt: input.prompt,
    suffix: input.suffix
  });
}

/** A chat transcript as Ollama's chat handler sees it: model messages, then system. */
export function chatMessages(
  input: Extract<PromptInput, { kind: 'chat' }>,
  resolved: TemplateModel
): Message[] {
  const messages = [...resolved.messages, ...input.messages];
  if (resolved.system && input.messages[0]?.role !== 'system')
    messages.unshift({ role: 'system', content: resolved.system });
  return messages;
}

/** The text of a chat prompt through the model's Go template (or the default). */
export function chatText(
  input: Extract<PromptInput, { kind: 'chat' }>,
  resolved: TemplateModel
): string {
  return execute(resolved.template ?? DEFAULT_TEMPLATE, 'model', {
    messages: chatMessages(input, resolved),
    tools: input.tools ?? null
  });
}

interface Values {
  messages: Message[];
  tools: Tool[] | null;
  prompt?: string;
  suffix?: string;
}

/** Think is not offered by this server, so templates see it off and unset. */
const THINK = { Think: false, ThinkLevel: '', IsThinkSet: false };

/** Steps each message or tool may spend: a llama-style template uses ~80 per message. */
const STEPS_PER_ITEM = 100;

/**
 * Work and output may grow with what the request sent (a long chat is a long prompt,
 * already bounded by the body limit), but only so far: a template cannot turn a small
 * request into a huge prompt or a long render. Bombs (ranges over numbers, nested
 * ranges) gain nothing from this, since they do not grow with the request.
 */
function budgetFor(values: Values): RenderBudget {
  let input = (values.prompt?.length ?? 0) + (values.suffix?.length ?? 0);
  for (const m of values.messages) input += m.content.length + (m.thinking?.length ?? 0);
  if (values.tools) input += JSON.stringify(values.tools).length;
  const items = values.messages.length + (values.tools?.length ?? 0);
  const scale = 1 + items / 1000;
  return new RenderBudget({
    maxOutput: DEFAULT_LIMITS.maxOutput + 2 * input,
    maxSteps: DEFAULT_LIMITS.maxSteps + STEPS_PER_ITEM * items,
    maxMillis: DEFAULT_LIMITS.maxMillis * scale
  });
}

/** Ollama's Template.Execute: the .Messages path, or turn by turn for older templates. */
function execute(source: string, origin: Origin, values: Values): string {
  const template = templateFor(source, origin);
  const budget = budgetFor(values);
  try {
    // A template without .Messages or .Response gets {{ .Response }} appended, as in Ollama.
    const full =
      template.uses('Messages') || template.uses('Response')
        ? template
        : templateFor(`${source}{{ .Response }}`, origin);
    if (values.prompt && values.suffix)
      return full.render(
        { Prompt: values.prompt, Suffix: values.suffix, Response: '', ...THINK },
        budget
      );
    const { system, messages } = collate(values.messages);
    if (template.uses('Messages'))
      return template.render(
        {
          System: system,
          Messages: templateMessages(messages),
          Tools: templateTools(values.tools),
          Response: '',
          ...THINK
        },
        budget
      );
    return renderTurns(full, messages, budget);
  } catch (error) {
    throw failure(error, origin);
  }
}

/**
 * A .Prompt/.Response template renders once per exchange: a system message or a user
 * message after a reply closes the turn before it. The last turn is cut right after
 * {{ .Response }}, so the prompt ends where the reply goes — or, when the transcript
 * ends with an assistant message, with that unfinished reply for the model to continue.
 */
function renderTurns(template: CompiledTemplate, messages: Message[], budget: RenderBudget) {
  let out = '';
  let turn = { System: '', Prompt: '', Response: '' };
  const flush = () => {
    out += template.render({ ...turn, ...THINK }, budget);
    turn = { System: '', Prompt: '', Response: '' };
  };
  for (const message of messages) {
    if (message.role === 'system') {
      if (turn.Prompt || turn.Response) flush();
      turn.System = message.content;
    } else if (message.role === 'user') {
      if (turn.Response) flush();
      turn.Prompt = message.content;
    } else if (message.role === 'assistant') turn.Response = message.content;
  }
  return out + template.untilResponse().render({ ...turn, ...THINK }, budget);
}
