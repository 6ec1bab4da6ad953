/**
 * The WebGPU engine's request/option and usage/metrics mapping. The engine itself (web-llm
 * in a worker on a real GPU) is not reachable here: no MLC weights can be fetched on these
 * machines and SwiftShader lacks shader-f16, so only the pure boundary is tested.
 */
import { describe, expect, it } from 'vitest';
import {
  initProgressToLoad,
  mapWebLlmError,
  toWebLlmChatRequest,
  usageToMetrics
} from '../../src/lib/engines/webgpu-mapping';
import { EngineError } from '../../src/lib/engines/engine';
import { finishToDoneReason } from '../../src/lib/engines/pieces';

describe('toWebLlmChatRequest', () => {
  it('maps Ollama messages and options to a streaming request with usage', () => {
    const request = toWebLlmChatRequest({
      model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'tool', content: '42', tool_name: 'calc' }
      ],
      options: {
        temperature: 0.2,
        top_p: 0.8,
        top_k: 40,
        repeat_penalty: 1.1,
        repeat_last_n: 64,
        seed: 7,
        num_predict: 32,
        stop: ['\n\n']
      }
    });
    expect(request).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'tool', content: '42', tool_call_id: 'calc' }
      ],
      temperature: 0.2,
      top_p: 0.8,
      repetition_penalty: 1.1,
      seed: 7,
      max_tokens: 32,
      stop: ['\n\n'],
      stream: true,
      stream_options: { include_usage: true }
    });
  });

  it('omits what web-llm would reject: negative seeds and "no limit" predictions', () => {
    const request = toWebLlmChatRequest({
      model: 'm',
      messages: [],
      options: { seed: -1, num_predict: -1 }
    });
    expect(request).not.toHaveProperty('seed');
    expect(request).not.toHaveProperty('max_tokens');
  });
});

describe('usageToMetrics', () => {
  it('turns web-llm’s per-second rates into Ollama ns durations', () => {
    const metrics = usageToMetrics(
      {
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        extra: {
          e2e_latency_s: 2.5,
          prefill_tokens_per_s: 200,
          decode_tokens_per_s: 25,
          time_to_first_token_s: 0.5,
          time_per_output_token_s: 0.04
        }
      },
      1000
    );
    expect(metrics).toEqual({
      total_duration: 3.5e9,
      load_duration: 1e9,
      prompt_eval_count: 100,
      prompt_eval_duration: 0.5e9,
      eval_count: 50,
      eval_duration: 2e9
    });
  });

  it('reports zeros rather than NaN when usage is missing (an interrupted stream)', () => {
    expect(usageToMetrics(undefined)).toEqual({
      total_duration: 0,
      load_duration: 0,
      prompt_eval_count: 0,
      prompt_eval_duration: 0,
      eval_count: 0,
      eval_duration: 0
    });
  });

  it('maps finish reasons', () => {
    expect(finishToDoneReason('length')).toBe('length');
    expect(finishToDoneReason('abort')).toBe('abort');
    expect(finishToDoneReason('stop')).toBe('stop');
    expect(finishToDoneReason(null)).toBe('stop');
  });
});

describe('initProgressToLoad', () => {
  it('reads the phase from web-llm’s prose', () => {
    expect(
      initProgressToLoad({ progress: 0.25, text: 'Fetching param cache[3/20]: 100MB fetched' })
    ).toMatchObject({
      phase: 'fetch',
      loaded: 0.25,
      total: 1
    });
    expect(
      initProgressToLoad({ progress: 0.5, text: 'Loading model from cache[5/20]' }).phase
    ).toBe('read');
    expect(
      initProgressToLoad({ progress: 1, text: 'Finish loading on WebGPU - swiftshader' }).phase
    ).toBe('init');
  });
});

describe('mapWebLlmError', () => {
  it('classifies errors that crossed the worker as plain strings', () => {
    const lost = mapWebLlmError(
      'DeviceLostError: The WebGPU device was lost while loading the model.'
    );
    expect(lost).toBeInstanceOf(EngineError);
    expect((lost as EngineError).code).toBe('device-lost');
    expect(
      (mapWebLlmError(new Error('ShaderF16SupportError: needs shader-f16')) as EngineError).code
    ).toBe('not-supported');
    expect(
      (mapWebLlmError(new Error('ModelNotFoundError: Cannot find model record')) as EngineError)
        .code
    ).toBe('bad-model');
    const offline = mapWebLlmError(
      new Error(
        'Error: Failed to store https://huggingface.co/x/mlc-chat-config.json with error: TypeError: Failed to fetch'
      )
    );
    expect((offline as EngineError).code).toBe('not-downloaded');
    const other = mapWebLlmError(new Error('something else'));
    expect(other).not.toBeInstanceOf(EngineError);
    expect(other.message).toBe('something else');
  });
});
