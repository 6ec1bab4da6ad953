import { describe, expect, it } from 'vitest';
import {
  ModelfileError,
  isPathLike,
  modelfileToCreateRequest,
  parseModelfile,
  renderModelfile
} from '#protocol/modelfile/format';
import { formatParameters, normalizeParameters } from '#protocol/modelfile/parameters';

const SAMPLE = `# A storyteller
FROM ./stories260K.gguf

parameter temperature 0.7
PARAMETER num_ctx 256
PARAMETER stop "</s>"
PARAMETER stop User:
PARAMETER penalize_newline false
TEMPLATE """{{ if .System }}{{ .System }}
{{ end }}{{ .Prompt }}"""
SYSTEM You are a "kind" storyteller.
MESSAGE user Tell me a story.
MESSAGE assistant """Once upon a time,
there was a cat."""
LICENSE """MIT
line two"""
LICENSE second license
`;

describe('parseModelfile', () => {
  it('reads every instruction with typed parameters, repeated stop and multi-line blocks', () => {
    const mf = parseModelfile(SAMPLE);
    expect(mf.from).toBe('./stories260K.gguf');
    expect(mf.parameters).toEqual({
      temperature: 0.7,
      num_ctx: 256,
      stop: ['</s>', 'User:'],
      penalize_newline: false
    });
    expect(mf.template).toBe('{{ if .System }}{{ .System }}\n{{ end }}{{ .Prompt }}');
    expect(mf.system).toBe('You are a "kind" storyteller.');
    expect(mf.messages).toEqual([
      { role: 'user', content: 'Tell me a story.' },
      { role: 'assistant', content: 'Once upon a time,\nthere was a cat.' }
    ]);
    expect(mf.license).toEqual(['MIT\nline two', 'second license']);
  });

  it('accepts CRLF line endings and a model name in FROM', () => {
    const mf = parseModelfile('FROM llama3:8b\r\nSYSTEM """hi\r\nthere"""\r\n');
    expect(mf.from).toBe('llama3:8b');
    expect(mf.system).toBe('hi\nthere');
    expect(isPathLike(mf.from)).toBe(false);
    expect(isPathLike('./m.gguf')).toBe(true);
    expect(isPathLike('/abs/model')).toBe(true);
    expect(isPathLike('model.GGUF')).toBe(true);
  });

  it.each([
    ['FROM x\nADAPTER ./lora.gguf\n', 2, /ADAPTER is not supported/],
    ['FROM x\n\nFOO bar\n', 3, /unknown instruction "FOO"/],
    ['FROM x\nPARAMETER num_ctx big\n', 2, /num_ctx.*integer/],
    ['FROM x\nPARAMETER temperature\n', 2, /missing value/],
    ['FROM x\nPARAMETER bogus 1\n', 2, /unknown parameter 'bogus'/],
    ['FROM x\nPARAMETER use_mmap yes\n', 2, /true or false/],
    ['FROM x\nSYSTEM """never closed\nmore\n', 2, /unterminated """/],
    ['FROM x\nMESSAGE robot hi\n', 2, /role must be one of/],
    ['FROM x\nTEMPLATE """a""" trailing\n', 2, /unexpected text/],
    ['SYSTEM hi\n', 2, /no FROM/],
    ['FROM a\nFROM b\n', 2, /only once/]
  ])('rejects %j at line %i', (text, line, message) => {
    let error: unknown;
    try {
      parseModelfile(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ModelfileError);
    expect((error as ModelfileError).line).toBe(line);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(new RegExp(`line ${line}`));
  });
});

describe('renderModelfile', () => {
  it('renders what parses back to the same model', () => {
    const source = {
      name: 'stories:latest',
      modelPath: '/models/blobs/sha256-abc',
      template: '{{ .Prompt }}',
      system: 'Be kind.\nAlways.',
      parameters: { stop: ['</s>', 'a "quoted" stop'], temperature: 0.5 },
      messages: [{ role: 'user' as const, content: 'hi' }],
      license: ['MIT']
    };
    const text = renderModelfile(source);
    expect(text).toContain('# FROM stories:latest');
    expect(text).toContain('PARAMETER stop "</s>"');
    const back = parseModelfile(text);
    expect(back.from).toBe('/models/blobs/sha256-abc');
    expect(back.template).toBe(source.template);
    expect(back.system).toBe(source.system);
    expect(back.parameters).toEqual(source.parameters);
    expect(back.messages).toEqual(source.messages);
    expect(back.license).toEqual(source.license);
  });

  it('builds the create request, with files replacing a FROM path', () => {
    const mf = parseModelfile(SAMPLE);
    const request = modelfileToCreateRequest(mf, 'teller', {
      'stories260K.gguf': 'sha256:' + 'a'.repeat(64)
    });
    expect(request.from).toBeUndefined();
    expect(request.files).toEqual({ 'stories260K.gguf': 'sha256:' + 'a'.repeat(64) });
    expect(request.parameters).toEqual(mf.parameters);
    expect(modelfileToCreateRequest(parseModelfile('FROM base\n'), 'x')).toEqual({
      model: 'x',
      from: 'base'
    });
  });
});

describe('parameters', () => {
  it('normalizes JSON parameters and formats them as Ollama’s show text', () => {
    expect(normalizeParameters({ stop: '</s>', num_ctx: '128', temperature: 1 })).toEqual({
      stop: ['</s>'],
      num_ctx: 128,
      temperature: 1
    });
    expect(() => normalizeParameters({ num_ctx: 1.5 })).toThrow(/integer/);
    expect(formatParameters({ temperature: 0.5, stop: ['a', 'b'] })).toBe(
      `${'stop'.padEnd(30)} "a"\n${'stop'.padEnd(30)} "b"\n${'temperature'.padEnd(30)} 0.5`
    );
  });
});
