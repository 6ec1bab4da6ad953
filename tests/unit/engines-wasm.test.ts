/**
 * The WASM engine's pure decisions. wllama itself needs a browser (module workers,
 * JSPI); its real run on stories260K is covered by the Chromium e2e tests.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chooseContext,
  chooseThreads,
  DEFAULT_CONTEXT,
  ggufTraits,
  llamaSamplingParams,
  looksLikeGguf,
  mapWllamaError
} from '../../src/lib/engines/wasm-options';
import { wllamaMessages } from '../../src/lib/engines/wasm-messages';
import {
  assertTextOnly,
  completionPromptFromChat,
  completionPromptFromGenerate
} from '../../src/lib/engines/prompt';
import { EngineError } from '../../src/lib/engines/engine';
import { runMetrics } from '../../src/lib/engines/metrics';
import { finishToDoneReason } from '../../src/lib/engines/pieces';
import { ModelNotStoredError } from '../../src/lib/store/model-files';
import { ggufWithKeys } from './helpers/gguf';
import { STORIES } from './helpers/models';

describe('chooseThreads', () => {
  it('uses one thread without cross-origin isolation, whatever is asked', () => {
    expect(chooseThreads({ cores: 16, crossOriginIsolated: false })).toBe(1);
    expect(chooseThreads({ cores: 16, crossOriginIsolated: false }, 8)).toBe(1);
  });
  it('uses every core up to 2, where two threads decode faster in the browser', () => {
    expect(chooseThreads({ cores: 2, crossOriginIsolated: true })).toBe(2);
    expect(chooseThreads({ cores: 1, crossOriginIsolated: true })).toBe(1);
  });
  it('leaves a core to the page and caps at 4', () => {
    expect(chooseThreads({ cores: 4, crossOriginIsolated: true })).toBe(3);
    expect(chooseThreads({ cores: 16, crossOriginIsolated: true })).toBe(4);
  });
  it('honours an override, clamped to the cores', () => {
    expect(chooseThreads({ cores: 2, crossOriginIsolated: true }, 2)).toBe(2);
    expect(chooseThreads({ cores: 2, crossOriginIsolated: true }, 8)).toBe(2);
    expect(chooseThreads({ cores: 8, crossOriginIsolated: true }, 0)).toBe(4);
    expect(chooseThreads({ cores: 8, crossOriginIsolated: true }, null)).toBe(4);
  });
});

describe('chooseContext', () => {
  it('defaults to Ollama’s context, capped by the model’s', () => {
    expect(chooseContext(undefined, undefined)).toBe(DEFAULT_CONTEXT);
    expect(chooseContext(undefined, 512)).toBe(512);
    expect(chooseContext(8192, 2048)).toBe(2048);
    expect(chooseContext(1024, 32768)).toBe(1024);
  });
});

describe('llamaSamplingParams', () => {
  it('maps Ollama option names to llama.cpp server fields and drops unset ones', () => {
    expect(
      llamaSamplingParams({
        temperature: 0,
        top_p: 0.9,
        top_k: 40,
        repeat_penalty: 1.1,
        repeat_last_n: 64,
        seed: 42,
        num_predict: 64,
        stop: ['\n\n', ''],
        num_ctx: 512
      })
    ).toEqual({
      temperature: 0,
      top_p: 0.9,
      top_k: 40,
      repeat_penalty: 1.1,
      repeat_last_n: 64,
      seed: 42,
      n_predict: 64,
      stop: ['\n\n']
    });
    expect(llamaSamplingParams(undefined)).toEqual({});
  });
  it('turns Ollama’s -1/-2 "no limit" into llama.cpp’s -1', () => {
    expect(llamaSamplingParams({ num_predict: -2 }).n_predict).toBe(-1);
  });
});

describe('mapWllamaError', () => {
  it('reports a file llama.cpp rejects at load as bad-model', () => {
    const err = Object.assign(new Error('Error while loading model'), { type: 'load_error' });
    const mapped = mapWllamaError(err, 'load');
    expect(mapped).toBeInstanceOf(EngineError);
    expect((mapped as EngineError).code).toBe('bad-model');
  });
  it('reports weights missing from this browser as not-downloaded', () => {
    const missing = new ModelNotStoredError('model gguf:x is not downloaded and verified');
    const mapped = mapWllamaError(missing, 'load') as EngineError;
    expect(mapped.code).toBe('not-downloaded');
    expect(mapped.message).toBe(missing.message);
  });
  it('reports wasm aborts during a run as crashed, and OOM anywhere as crashed', () => {
    const abort = Object.assign(new Error('(ABORT) GGML_ASSERT failed'), { name: 'RuntimeError' });
    expect((mapWllamaError(abort, 'run') as EngineError).code).toBe('crashed');
    const oom = new Error('Cannot allocate WebAssembly.Memory');
    expect((mapWllamaError(oom, 'load') as EngineError).code).toBe('crashed');
  });
  it('reports the stop button as aborted', () => {
    const abort = Object.assign(new Error('Operation aborted'), { name: 'AbortError' });
    expect((mapWllamaError(abort, 'run') as EngineError).code).toBe('aborted');
  });
});

describe('looksLikeGguf', () => {
  it('accepts a real GGUF and refuses other bytes', async () => {
    const real = new Blob([fs.readFileSync(STORIES)]);
    expect(await looksLikeGguf(real)).toBe(true);
    expect(await looksLikeGguf(new Blob(['<html>not a model</html>']))).toBe(false);
    expect(await looksLikeGguf(new Blob(['GGUF']))).toBe(false);
  });
});

describe('ggufTraits', () => {
  it('tells embedding GGUFs (which declare pooling) from chat/base models', async () => {
    const stories = new Blob([fs.readFileSync(STORIES)]);
    expect(await ggufTraits(stories)).toEqual({ embedding: false, chatTemplate: null });
    const embedding = await ggufWithKeys(STORIES, { 'llama.pooling_type': 1 });
    expect((await ggufTraits(embedding)).embedding).toBe(true);
  });

  it('reads the chat template for llama.cpp (Hearth’s builds do not report it back)', async () => {
    const chat = await ggufWithKeys(STORIES, { 'tokenizer.chat_template': '{{ messages }}' });
    expect((await ggufTraits(chat)).chatTemplate).toBe('{{ messages }}');
  });
});

describe('prompts', () => {
  it('turns a chat into a plain completion for base models', () => {
    expect(
      completionPromptFromChat([
        { role: 'system', content: 'Tell a story.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Once upon a time' }
      ])
    ).toBe('Tell a story.\n\nOnce upon a time');
    expect(completionPromptFromChat([{ role: 'user', content: 'Once upon a time' }])).toBe(
      'Once upon a time'
    );
    expect(completionPromptFromGenerate({ model: 'm', prompt: 'Once', system: 'S' })).toBe(
      'S\n\nOnce'
    );
  });
  it('refuses images on text-only engines', () => {
    expect(() =>
      assertTextOnly({ model: 'm', messages: [{ role: 'user', content: 'x', images: ['aGk='] }] })
    ).toThrow(EngineError);
    expect(() => assertTextOnly({ model: 'm', prompt: 'x' })).not.toThrow();
  });
  it('maps tool results for llama.cpp’s templates', () => {
    expect(wllamaMessages([{ role: 'tool', content: '42', tool_name: 'calc' }])).toEqual([
      { role: 'tool', content: '42', tool_call_id: 'calc' }
    ]);
  });
});

describe('metrics', () => {
  it('reports ns durations, preferring engine timings and charging load time once', () => {
    const m = runMetrics({
      startedAt: 1000,
      firstTokenAt: 1100,
      endedAt: 1600,
      promptTokens: 5,
      evalTokens: 40,
      promptMs: 30,
      evalMs: 450,
      loadMs: 200
    });
    expect(m).toEqual({
      total_duration: 800e6,
      load_duration: 200e6,
      prompt_eval_count: 5,
      prompt_eval_duration: 30e6,
      eval_count: 40,
      eval_duration: 450e6
    });
    expect(finishToDoneReason('length')).toBe('length');
    expect(finishToDoneReason('stop')).toBe('stop');
  });
});
