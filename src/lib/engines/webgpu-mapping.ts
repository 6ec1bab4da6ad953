/**
 * Pure translations between Ollama's wire shapes and web-llm 0.2.86's OpenAI-style API.
 * Only types are imported from web-llm, so this module costs nothing at page load.
 */
import type {
  ChatCompletionMessageParam,
  ChatCompletionRequestStreaming,
  CompletionUsage,
  InitProgressReport
} from '@mlc-ai/web-llm';
import type { ChatRequest, Message, Metrics, Options } from '#protocol/ollama/types';
import { readMessages, readOptions } from '#protocol/ollama/read-request';
import { contextFullError } from './context-fit';
import { EngineError, type LoadProgress } from './engine';
import { msToNs } from './metrics';

/** Ollama options web-llm has no equivalent for (top_k, repeat_last_n, min_p…) are dropped. */
export function webLlmSampling(options: Options | undefined) {
  const o = options ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const stop = (o.stop ?? []).filter((s) => typeof s === 'string' && s.length > 0);
  const maxTokens = num(o.num_predict);
  return {
    temperature: num(o.temperature),
    top_p: num(o.top_p),
    repetition_penalty: num(o.repeat_penalty),
    presence_penalty: num(o.presence_penalty),
    frequency_penalty: num(o.frequency_penalty),
    // web-llm wants an integer seed and rejects negatives (Ollama's -1 means "random").
    seed: maxInt(num(o.seed)),
    // Ollama's -1/-2 mean "no limit"; web-llm then stops at the context window.
    max_tokens: maxTokens !== undefined && maxTokens > 0 ? Math.floor(maxTokens) : undefined,
    stop: stop.length > 0 ? stop : undefined
  };
}

function maxInt(seed: number | undefined): number | undefined {
  return seed === undefined || seed < 0 ? undefined : Math.floor(seed);
}

function webLlmMessage(m: Message): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
      return { role: 'system', content: m.content };
    case 'assistant':
      return { role: 'assistant', content: m.content };
    case 'tool':
      return { role: 'tool', content: m.content, tool_call_id: m.tool_name ?? 'tool' };
    default:
      return { role: 'user', content: m.content };
  }
}

/** What a chat model is asked when it must go on with an answer it did not finish. */
export const CONTINUE_PROMPT =
  'Continue your last reply exactly where it stopped. Do not repeat any of it and do not comment; just write the rest.';

/**
 * A final assistant message asks for that answer to be continued (Ollama's meaning).
 * web-llm 0.2.86 refuses a conversation that does not end with a user or tool turn and
 * has no way to open the assistant turn with given text, so the closest it can do is an
 * explicit request to go on; the chat appends what comes back to the cut answer.
 */
function withContinueTurn(messages: Message[]): Message[] {
  if (messages.at(-1)?.role !== 'assistant') return messages;
  return [...messages, { role: 'user', content: CONTINUE_PROMPT }];
}

/** An Ollama /api/chat request → a streaming web-llm chat completion with usage at the end. */
export function toWebLlmChatRequest(request: ChatRequest): ChatCompletionRequestStreaming {
  const sampling = Object.fromEntries(
    Object.entries(webLlmSampling(readOptions(request.options))).filter(([, v]) => v !== undefined)
  );
  return {
    ...sampling,
    messages: withContinueTurn(readMessages(request.messages)).map(webLlmMessage),
    stream: true,
    stream_options: { include_usage: true }
  };
}

/** web-llm's usage (with its `extra` timings in seconds) → Ollama metrics in ns. */
export function usageToMetrics(usage: CompletionUsage | undefined, loadMs = 0): Required<Metrics> {
  const prompt = usage?.prompt_tokens ?? 0;
  const evalCount = usage?.completion_tokens ?? 0;
  const extra = usage?.extra;
  const prefillS =
    extra && extra.prefill_tokens_per_s > 0 ? prompt / extra.prefill_tokens_per_s : 0;
  const decodeS =
    extra && extra.decode_tokens_per_s > 0
      ? evalCount / extra.decode_tokens_per_s
      : (extra?.time_per_output_token_s ?? 0) * evalCount;
  const totalS = extra?.e2e_latency_s ?? prefillS + decodeS;
  return {
    total_duration: msToNs(totalS * 1000 + loadMs),
    load_duration: msToNs(loadMs),
    prompt_eval_count: prompt,
    prompt_eval_duration: msToNs(prefillS * 1000),
    eval_count: evalCount,
    eval_duration: msToNs(decodeS * 1000)
  };
}

/** web-llm's init reports are a 0..1 fraction plus prose; the prose tells the phase. */
export function initProgressToLoad(
  report: Pick<InitProgressReport, 'progress' | 'text'>
): LoadProgress {
  const text = report.text ?? '';
  const phase: LoadProgress['phase'] = /fetch|download/i.test(text)
    ? 'fetch'
    : /cache/i.test(text)
      ? 'read'
      : 'init';
  const fraction = Math.max(0, Math.min(1, Number.isFinite(report.progress) ? report.progress : 0));
  return { phase, loaded: fraction, total: 1, text };
}

/**
 * Errors cross the worker boundary as plain messages, so they are classified by name and
 * text: a lost GPU device (usually out of VRAM), missing WebGPU or features, a bad model.
 */
export function mapWebLlmError(error: unknown): Error {
  if (error instanceof EngineError) return error;
  const e = error as { name?: string; message?: string } | undefined;
  const message = e?.message ?? String(error);
  const text = `${e?.name ?? ''} ${message}`;
  const full = contextFullError(error);
  if (full) return full;
  if (/DeviceLost|device (was |is )?lost|device\.lost/i.test(text)) {
    return new EngineError(
      'device-lost',
      `The GPU device was lost (often out of GPU memory): ${message}`,
      {
        cause: error
      }
    );
  }
  if (/ShaderF16|shader-f16/i.test(text)) {
    return new EngineError(
      'not-supported',
      `This GPU lacks shader-f16; pick a q4f32 model. (${message})`,
      {
        cause: error
      }
    );
  }
  if (
    /WebGPUNotAvailable|WebGPUNotFound|WebGPU is not (available|supported)|navigator\.gpu|requestAdapter/i.test(
      text
    )
  ) {
    return new EngineError('not-supported', `WebGPU is not available: ${message}`, {
      cause: error
    });
  }
  if (/out of memory|OOM|allocation failed/i.test(text)) {
    return new EngineError('does-not-fit', `Not enough GPU memory: ${message}`, { cause: error });
  }
  if (/Failed to fetch|NetworkError|Failed to store/i.test(text)) {
    return new EngineError(
      'not-downloaded',
      `The model's weights are not in this browser and could not be downloaded (offline?): ${message}`,
      { cause: error }
    );
  }
  if (
    /ModelNotFound|SpecifiedModelNotFound|UnsupportedModelId|MissingModelWasm|tokenizer/i.test(text)
  ) {
    return new EngineError('bad-model', message, { cause: error });
  }
  if (/abort/i.test(e?.name ?? '')) return new EngineError('aborted', 'Stopped.', { cause: error });
  return error instanceof Error ? error : new Error(message);
}
