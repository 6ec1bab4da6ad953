import { describe, expect, it } from 'vitest';
import {
  answerTokenLimit,
  applyPreset,
  buildOptions,
  CONTEXT_FACTOR,
  defaultOptions,
  formatStopSequences,
  NUMERIC_PARAMS,
  parseParam,
  parseStopSequences,
  presetOf,
  PRESET_MAX_TOKENS,
  PRESETS
} from '../../src/lib/chat/params';
import { autoTitle, buildChatRequest, statsFromFinal } from '../../src/lib/chat/request';

const param = (key: string) => NUMERIC_PARAMS.find((p) => p.key === key)!;

describe('presets', () => {
  it('balanced is the default with temperature 0.7', () => {
    expect(defaultOptions().temperature).toBe(0.7);
    expect(presetOf(defaultOptions())).toBe('balanced');
    expect(presetOf({})).toBe('balanced');
  });

  it('precise is deterministic and creative is warmer', () => {
    expect(PRESETS.precise).toMatchObject({ temperature: 0, top_k: 1 });
    expect(PRESETS.creative).toMatchObject({ temperature: 1.0, top_p: 0.95 });
  });

  it('applying a preset keeps context size, seed and stops', () => {
    const mine = { temperature: 0.3, num_ctx: 4096, seed: 42, stop: ['User:'] };
    const precise = applyPreset(mine, 'precise');
    expect(precise).toMatchObject({
      temperature: 0,
      top_k: 1,
      num_ctx: 4096,
      seed: 42,
      stop: ['User:']
    });
    expect(presetOf(precise)).toBe('precise');
    expect(presetOf({ ...precise, temperature: 0.2 })).toBe('custom');
  });
});

describe('parsing fields', () => {
  it('empty means engine default, junk is flagged, out-of-range is clamped', () => {
    expect(parseParam(param('temperature'), '')).toBeUndefined();
    expect(parseParam(param('temperature'), 'warm')).toBeNull();
    expect(parseParam(param('temperature'), '5')).toBe(2);
    expect(parseParam(param('temperature'), '0,5')).toBe(0.5);
    expect(parseParam(param('top_k'), '3.6')).toBe(4);
    expect(parseParam(param('num_ctx'), '10')).toBe(128);
  });

  it('parses stop sequences one per line with \\n escapes', () => {
    expect(parseStopSequences('User:\n\n  \nUser:\n\\n\\n\n###')).toEqual(['User:', '\n\n', '###']);
    expect(parseStopSequences('')).toEqual([]);
    const stops = ['a\nb', 'tab\there', 'back\\slash'];
    expect(parseStopSequences(formatStopSequences(stops))).toEqual(stops);
  });
});

describe('buildOptions', () => {
  it('fills preset defaults, drops unset values, random seed and empty stops', () => {
    expect(buildOptions({ seed: -1, stop: [], num_ctx: undefined })).toEqual({
      ...PRESETS.balanced,
      num_predict: PRESET_MAX_TOKENS.balanced
    });
  });

  it('clamps and keeps user values', () => {
    const out = buildOptions({
      temperature: 9,
      top_k: 1.4,
      num_predict: 128,
      seed: 7,
      stop: ['x', 'x', '']
    });
    expect(out).toMatchObject({ temperature: 2, top_k: 1, num_predict: 128, seed: 7, stop: ['x'] });
  });
});

describe('answer-length cap', () => {
  it('gives every preset a default between 1024 and 2048 tokens, always sent', () => {
    for (const cap of Object.values(PRESET_MAX_TOKENS)) {
      expect(cap).toBeGreaterThanOrEqual(1024);
      expect(cap).toBeLessThanOrEqual(2048);
    }
    expect(buildOptions({}).num_predict).toBe(PRESET_MAX_TOKENS.balanced);
    expect(buildOptions(applyPreset({}, 'precise')).num_predict).toBe(PRESET_MAX_TOKENS.precise);
    expect(buildOptions(applyPreset({}, 'creative')).num_predict).toBe(PRESET_MAX_TOKENS.creative);
    // A hand-tuned set falls back to the default preset's cap.
    expect(buildOptions({ temperature: 0.33 }).num_predict).toBe(PRESET_MAX_TOKENS.balanced);
  });

  it('treats a cleared, zero or negative field as the preset default, never "no limit"', () => {
    const precise = applyPreset({}, 'precise');
    for (const num_predict of [undefined, 0, -1, -2, Number.NaN]) {
      expect(answerTokenLimit({ ...precise, num_predict })).toBe(PRESET_MAX_TOKENS.precise);
      expect(buildOptions({ ...precise, num_predict }).num_predict).toBe(PRESET_MAX_TOKENS.precise);
    }
    expect(buildOptions({ ...precise, num_predict: 8 }).num_predict).toBe(8);
  });

  it('never goes above the context window times the factor', () => {
    // The model's own window bounds everything (stories260K was trained on 512).
    expect(answerTokenLimit({ num_predict: 30000 }, 512)).toBe(512 * CONTEXT_FACTOR);
    expect(buildOptions({ num_predict: 30000 }, 512).num_predict).toBe(512 * CONTEXT_FACTOR);
    // A smaller num_ctx than the model's shrinks it; without either, Ollama's 4096 applies.
    expect(answerTokenLimit({ num_predict: 30000, num_ctx: 256 }, 32768)).toBe(256 * 2);
    expect(answerTokenLimit({ num_predict: 30000 })).toBe(4096 * CONTEXT_FACTOR);
    // The preset default is bounded too.
    expect(answerTokenLimit({}, 256)).toBe(256 * CONTEXT_FACTOR);
  });
});

describe('request helpers', () => {
  it('auto-titles from the first non-blank line, CJK-safe', () => {
    expect(autoTitle('\n\n  Hello   world \nsecond line')).toBe('Hello world');
    const long = '请'.repeat(60);
    expect(autoTitle(long)).toBe('请'.repeat(40) + '…');
    expect(Array.from(autoTitle('😀'.repeat(50))).length).toBe(41);
  });

  it('puts the system prompt first and leaves failed answers out', () => {
    const request = buildChatRequest(
      'm',
      { systemPrompt: '  Be brief. ', options: { temperature: 0 } },
      [
        { id: '1', conversationId: 'c', seq: 0, createdAt: 0, role: 'user', content: 'hi' },
        {
          id: '2',
          conversationId: 'c',
          seq: 1,
          createdAt: 0,
          role: 'assistant',
          content: '',
          error: 'crashed'
        },
        { id: '3', conversationId: 'c', seq: 2, createdAt: 0, role: 'user', content: 'again' }
      ]
    );
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'again' }
    ]);
    expect(request.options?.temperature).toBe(0);
    expect(request.model).toBe('m');
  });

  it('computes tokens per second from ns durations', () => {
    const stats = statsFromFinal(
      {
        model: 'm',
        created_at: '',
        message: { role: 'assistant', content: '' },
        done: true,
        eval_count: 50,
        eval_duration: 2e9
      },
      'wasm',
      'm'
    );
    expect(stats).toMatchObject({
      engine: 'wasm',
      modelId: 'm',
      eval_count: 50,
      tokensPerSecond: 25
    });
  });
});
