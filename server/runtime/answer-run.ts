/**
 * What every runner does around its token loop: the prompt (template or chat wrapper,
 * over the model's own tokenizer), the format's grammar, and tool calls parsed out of
 * the finished answer. Only the loop differs between runners.
 */
import type { LlamaGrammar, LlamaModel, Token } from 'node-llama-cpp';
import type { ResolvedModel } from '../store/model-store';
import { InvalidInputError } from '../domain-errors';
import { assertKnownTokens, fitPrompt, type GenerationOutcome } from './generate';
import { grammarFor } from './grammar';
import { buildPrompt } from './prompt';
import type { RunOutcome } from './runner';
import type { GenerateJob } from './scheduler';
import { parseToolCalls } from './tool-calls';

export interface PreparedAnswer {
  /** The prompt's tokens, the newest that fit the slot's context. */
  tokens: Token[];
  /** Stop strings the prompt format implies. */
  stop: string[];
  grammar?: LlamaGrammar;
}

export async function prepareAnswer(
  job: GenerateJob,
  resolved: ResolvedModel,
  model: LlamaModel,
  contextSize: number
): Promise<PreparedAnswer> {
  if (job.input.kind === 'generate' && job.input.context)
    assertKnownTokens(job.input.context, model, 'context');
  const prompt = await buildPrompt(job.input, resolved, model, contextSize);
  const tokens = fitPrompt(prompt.tokens, contextSize, model.tokens.bos, job.truncate ?? true);
  // A template that renders nothing, on a model that adds no BOS, leaves nothing to evaluate.
  if (tokens.length === 0)
    throw new InvalidInputError('the prompt is empty after applying the template');
  const grammar = await grammarFor(model.llama, job.format);
  return { tokens, stop: prompt.stop, grammar };
}

/**
 * Streams a token loop's text, holding it back when the request offered tools (the text
 * may turn out to be a call), and shapes the outcome for the scheduler.
 */
export async function* answerWithTools(
  job: GenerateJob,
  run: AsyncGenerator<string, GenerationOutcome>
): AsyncGenerator<string, RunOutcome> {
  const tools = job.input.kind === 'chat' ? (job.input.tools ?? []) : [];
  let step = await run.next();
  while (!step.done) {
    if (tools.length === 0) yield step.value;
    step = await run.next();
  }
  const outcome = step.value;
  const parsed = tools.length > 0 ? parseToolCalls(outcome.text, tools) : undefined;
  if (parsed && parsed.content) yield parsed.content;
  return {
    doneReason: outcome.doneReason,
    text: parsed ? parsed.content : outcome.text,
    toolCalls: parsed?.toolCalls.length ? parsed.toolCalls : undefined,
    context: [...outcome.promptTokens, ...outcome.outputTokens].map(Number),
    counts: {
      prompt_eval_count: outcome.promptTokens.length,
      prompt_eval_duration: outcome.promptEvalNs,
      eval_count: outcome.outputTokens.length,
      eval_duration: outcome.evalNs
    }
  };
}
