/**
 * What a widget request may ask of the server. A widget key sits in a public page, so
 * anyone can send requests with it and any body: only the sampling options a chat needs
 * pass through. The context size, threads, keep_alive and the other settings that cost
 * the whole server memory or time keep the model's own values, and the answer length a
 * page asks for is capped, so one visitor cannot reload a model with a huge context, pin
 * it in memory or ask for an endless answer. (Without a length the model's own
 * num_predict applies, which its administrator sets in the Modelfile.)
 */
import type { FastifyInstance } from 'fastify';
import type { OptionName } from '#protocol/ollama/options';
import { WIDGET_MAX_ANSWER_TOKENS } from '#protocol/widget/types';
import { canonicalPath } from '../auth/policy';

const SAMPLING: readonly OptionName[] = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'typical_p',
  'repeat_penalty',
  'repeat_last_n',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'stop'
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An asked-for answer length within the cap (absent stays absent). */
function capped(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && value > 0
    ? Math.min(Math.floor(value), WIDGET_MAX_ANSWER_TOKENS)
    : WIDGET_MAX_ANSWER_TOKENS;
}

function limitOllama(body: Record<string, unknown>): void {
  const asked = isObject(body.options) ? body.options : {};
  const options: Record<string, unknown> = {};
  for (const name of SAMPLING) if (asked[name] !== undefined) options[name] = asked[name];
  const length = capped(asked.num_predict);
  if (length !== undefined) options.num_predict = length;
  body.options = options;
}

function limitOpenAI(body: Record<string, unknown>): void {
  const length = capped(body.max_completion_tokens ?? body.max_tokens);
  delete body.max_completion_tokens;
  if (length === undefined) delete body.max_tokens;
  else body.max_tokens = length;
}

export function registerWidgetLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.principal?.via !== 'widget' || !isObject(req.body)) return;
    const body = req.body;
    delete body.keep_alive;
    if (canonicalPath(req.url).startsWith('/v1/')) limitOpenAI(body);
    else limitOllama(body);
  });
}
