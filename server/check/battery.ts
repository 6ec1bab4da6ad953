/**
 * The self-check after a deployment: a short, fixed battery against one model through the
 * Ollama API (Hearth's own, or any Ollama server), with a report anyone can read. Each
 * check says what "pass" means. A completion-only model (no chat template) gets "not
 * applicable" for the checks that need a chat, never a pass it did not earn.
 */
import type { ApiClient } from '#protocol/client';
import type {
  ChatResponse,
  GenerateResponse,
  ProcessResponse,
  ShowResponse
} from '#protocol/ollama/types';
import { followsChat } from '#protocol/ollama/show';
import type { CheckReport, CheckResult } from '#protocol/portal/checks';

export type { CheckReport, CheckResult };

const GREEDY = { temperature: 0, seed: 1 };
const CJK = /[\u3400-\u9fff]/;
const FACT = '4719';
const FILLER = 'The river ran past the old mill, and the miller counted sacks of grain. ';

async function chat(api: ApiClient, model: string, content: string, numPredict: number) {
  const answer = await api.json<ChatResponse>('/api/chat', {
    json: {
      model,
      messages: [{ role: 'user', content }],
      stream: false,
      options: { ...GREEDY, num_predict: numPredict }
    }
  });
  return answer.message.content;
}

function notApplicable(id: string, title: string, means: string): CheckResult {
  return {
    id,
    title,
    means,
    status: 'n/a',
    detail:
      'completion-only model (no chat template): it continues text, it does not follow requests'
  };
}

function result(
  id: string,
  title: string,
  means: string,
  passed: boolean,
  detail: string
): CheckResult {
  return { id, title, means, status: passed ? 'pass' : 'fail', detail };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const quote = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

async function answersAtAll(api: ApiClient, model: string): Promise<CheckResult> {
  const means = 'a short prompt gets a non-empty answer';
  const answer = await api.json<GenerateResponse>('/api/generate', {
    json: {
      model,
      prompt: 'Once upon a time',
      stream: false,
      options: { ...GREEDY, num_predict: 16 }
    }
  });
  return result('answers', 'Answers', means, answer.response.trim() !== '', quote(answer.response));
}

async function followsInstruction(api: ApiClient, model: string): Promise<CheckResult> {
  const means = 'asked for JSON with the key "answer", it replies with exactly that JSON object';
  const text = await chat(
    api,
    model,
    'Reply with only a JSON object with one key, "answer", whose value is the capital of France.',
    64
  );
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  const ok = json !== undefined && typeof parseJson(json)?.answer === 'string';
  return result('instruction', 'Follows an instruction', means, ok, quote(text));
}

async function usesContext(
  api: ApiClient,
  model: string,
  contextLength: number
): Promise<CheckResult> {
  const means = `a code given at the start of a prompt of about half the context (${contextLength} tokens) is recalled at the end`;
  // Roughly 4 characters a token; half the context leaves room for the answer.
  const filler = FILLER.repeat(Math.max(1, Math.floor((contextLength * 2) / FILLER.length)));
  const text = await chat(
    api,
    model,
    `Remember this code: ${FACT}.\n\n${filler}\n\nWhat was the code I asked you to remember? Reply with the code only.`,
    16
  );
  return result('context', 'Uses its context', means, text.includes(FACT), quote(text));
}

async function chineseInChineseOut(api: ApiClient, model: string): Promise<CheckResult> {
  const means = 'a question in Chinese gets an answer in Chinese';
  const text = await chat(api, model, '请用中文简单介绍一下你自己。', 48);
  return result('chinese', 'Chinese in, Chinese out', means, CJK.test(text), quote(text));
}

/** Streams one answer to time the first token and read the server's own rates. */
async function speed(api: ApiClient, model: string): Promise<CheckReport['speed']> {
  const started = performance.now();
  let firstTokenMs: number | null = null;
  let final: GenerateResponse | undefined;
  for await (const chunk of api.ndjson<GenerateResponse>('/api/generate', {
    json: {
      model,
      prompt: FILLER.repeat(8),
      stream: true,
      options: { ...GREEDY, num_predict: 64 }
    }
  })) {
    if (firstTokenMs === null && chunk.response) firstTokenMs = performance.now() - started;
    if (chunk.done) final = chunk;
  }
  const rate = (count?: number, ns?: number) => (count && ns ? (count / ns) * 1e9 : null);
  return {
    promptTokensPerSecond: rate(final?.prompt_eval_count, final?.prompt_eval_duration),
    answerTokensPerSecond: rate(final?.eval_count, final?.eval_duration),
    firstTokenMs
  };
}

export interface CheckOptions {
  checkedBy: string;
  now?: () => Date;
}

export async function runChecks(
  api: ApiClient,
  model: string,
  options: CheckOptions
): Promise<CheckReport> {
  const show = await api.json<ShowResponse>('/api/show', { json: { model } });
  const chatModel = followsChat(show);
  const results: CheckResult[] = [await answersAtAll(api, model)];
  const ps = await api.json<ProcessResponse>('/api/ps');
  const loaded = ps.models.find(
    (m) => m.name === model || m.model === model || m.name === `${model}:latest`
  );
  const contextLength = loaded?.context_length ?? 2048;
  if (chatModel) {
    results.push(await followsInstruction(api, model));
    results.push(await usesContext(api, model, contextLength));
    results.push(await chineseInChineseOut(api, model));
  } else {
    results.push(
      notApplicable(
        'instruction',
        'Follows an instruction',
        'asked for JSON, it replies with JSON'
      ),
      notApplicable(
        'context',
        'Uses its context',
        'a code given early in a long prompt is recalled'
      ),
      notApplicable(
        'chinese',
        'Chinese in, Chinese out',
        'a question in Chinese gets a Chinese answer'
      )
    );
  }
  return {
    model,
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    checkedBy: options.checkedBy,
    chat: chatModel,
    results,
    speed: await speed(api, model),
    loadedBytes: loaded?.size ?? null
  };
}
