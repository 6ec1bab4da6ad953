/**
 * The model-name grammar (Ollama's host/namespace/model:tag) as table tests: what parses,
 * what the defaults fill in, how case is treated, and that nothing that parses can be a
 * path segment other than a plain name.
 */
import { describe, expect, it } from 'vitest';
import {
  ModelNameError,
  displayName,
  fullName,
  modelNameFromParts,
  modelNameKey,
  modelNameSegments,
  parseModelName,
  parseModelReference,
  sameModelName,
  tryParseModelName,
  type ModelName
} from '#protocol/ollama/names';

const p80 = 'a'.repeat(80);
const p81 = 'a'.repeat(81);
const h350 = 'h'.repeat(350);

describe('valid names and the defaults they get', () => {
  const cases: [string, string][] = [
    ['llama3', 'registry.ollama.ai/library/llama3:latest'],
    ['llama3:8b', 'registry.ollama.ai/library/llama3:8b'],
    ['team/coder', 'registry.ollama.ai/team/coder:latest'],
    ['team/coder:7b-q4_K_M', 'registry.ollama.ai/team/coder:7b-q4_K_M'],
    ['example.com/team/coder:1.5', 'example.com/team/coder:1.5'],
    ['localhost:8080/team/coder', 'localhost:8080/team/coder:latest'],
    ['10.0.0.5:11434/library/stories:v2', '10.0.0.5:11434/library/stories:v2'],
    ['h/n/m:t', 'h/n/m:t'],
    ['_why/_the/_lucky:_stiff', '_why/_the/_lucky:_stiff'],
    ['qwen2.5', 'registry.ollama.ai/library/qwen2.5:latest'],
    ['model.', 'registry.ollama.ai/library/model.:latest'],
    ['a..b:c..d', 'registry.ollama.ai/library/a..b:c..d'],
    ['host:https/namespace/model:tag', 'host:https/namespace/model:tag'],
    [`${p80}/${p80}:${p80}`, `registry.ollama.ai/${p80}/${p80}:${p80}`],
    [`${h350}/${p80}/${p80}:${p80}`, `${h350}/${p80}/${p80}:${p80}`],
    ['  stories  ', 'registry.ollama.ai/library/stories:latest'],
    ['https://example.com/team/coder:1', 'example.com/team/coder:1'],
    ['HTTP://10.0.0.5:8080/library/x', '10.0.0.5:8080/library/x:latest']
  ];
  it.each(cases)('%s → %s', (input, full) => {
    expect(fullName(parseModelName(input))).toBe(full);
  });

  it('displays the shortest form Ollama lists', () => {
    expect(displayName(parseModelName('registry.ollama.ai/library/stories'))).toBe(
      'stories:latest'
    );
    expect(displayName(parseModelName('team/coder:7b'))).toBe('team/coder:7b');
    expect(displayName(parseModelName('example.com/library/x'))).toBe(
      'example.com/library/x:latest'
    );
  });

  it('keeps the scheme a pull needs, and only http or https', () => {
    expect(parseModelReference('http://h:1/n/m').scheme).toBe('http');
    expect(parseModelReference('https://h/n/m').scheme).toBe('https');
    expect(parseModelReference('h:1/n/m').scheme).toBeUndefined();
    expect(() => parseModelReference('ftp://h/n/m')).toThrow(/unsupported scheme/);
    expect(() => parseModelReference('http://stories')).toThrow(/followed by a host/);
  });
});

describe('invalid names', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['mm:', 'tag is empty'],
    ['n/m:', 'tag is empty'],
    ['/nn/mm', 'host is empty'],
    ['//', 'host is empty'],
    ['//mm', 'host is empty'],
    ['hh//', 'namespace is empty'],
    ['ns/', 'model is empty'],
    ['/m', 'namespace is empty'],
    ['a/b/c/d', 'at most'],
    ['-hh/nn/mm:tt', 'host must start'],
    ['hh/-nn/mm:tt', 'namespace must start'],
    ['hh/nn/-mm:tt', 'model must start'],
    ['hh/nn/mm:-tt', 'tag must start'],
    ['host/name:space/model:tag', 'namespace may only'],
    ['ns.dotted/model', 'namespace may only'],
    ['.', 'model must start'],
    ['..', 'model must start'],
    ['../x', 'namespace must start'],
    ['../escape/x:y', 'host must start'],
    ['./hidden/x:y', 'host must start'],
    [`../blobs/sha256-${'a'.repeat(64)}:x`, 'host must start'],
    ['x:..', 'tag must start'],
    ['x:../../etc', 'namespace must start'],
    ['x y', 'model may only'],
    ['model\u0000', 'model may only'],
    ['stories\\..\\x', 'model may only'],
    ['%2e%2e/x', 'namespace must start'],
    ['m@sha256:abc', 'model may only'],
    ['caf\u00e9', 'model may only'],
    [p81, 'model is longer than 80'],
    [`x:${p81}`, 'tag is longer than 80'],
    [`${p81}/x`, 'namespace is longer than 80'],
    [`${'h'.repeat(351)}/n/m`, 'host is longer than 350']
  ];
  it.each(cases)('%j is refused (%s)', (input, reason) => {
    expect(() => parseModelName(input)).toThrow(ModelNameError);
    expect(() => parseModelName(input)).toThrow(reason);
    expect(tryParseModelName(input)).toBeUndefined();
  });

  it('says which part is at fault', () => {
    const error = (() => {
      try {
        parseModelName('x:-1');
      } catch (err) {
        return err as ModelNameError;
      }
    })();
    expect(error?.part).toBe('tag');
    expect(error?.message).toBe(
      'invalid model name "x:-1": tag must start with a letter, digit or "_"'
    );
  });
});

describe('case', () => {
  it('keeps the spelling given, and compares names case-insensitively', () => {
    const a = parseModelName('Team/Coder:Q4');
    expect(fullName(a)).toBe('registry.ollama.ai/Team/Coder:Q4');
    expect(sameModelName(a, parseModelName('team/coder:q4'))).toBe(true);
    expect(sameModelName(a, parseModelName('team/coder:q5'))).toBe(false);
    expect(modelNameKey(a)).toBe('registry.ollama.ai/team/coder:q4');
  });

  it('spells the default host and namespace canonically', () => {
    const name = parseModelName('Registry.Ollama.AI/Library/Stories');
    expect(fullName(name)).toBe('registry.ollama.ai/library/Stories:latest');
    expect(displayName(name)).toBe('Stories:latest');
  });
});

describe('parts and path segments', () => {
  it('checks parts given one by one, keeping their spelling', () => {
    expect(fullName(modelNameFromParts({ namespace: 'Library', model: 'x' }))).toBe(
      'registry.ollama.ai/Library/x:latest'
    );
    expect(() => modelNameFromParts({ namespace: 'library', model: 'x', tag: '../../y' })).toThrow(
      /tag must start/
    );
    expect(() => modelNameFromParts({ namespace: '..', model: 'x' })).toThrow(/namespace/);
    expect(() => modelNameFromParts({ host: '', model: 'x' })).toThrow(/host is empty/);
  });

  it('gives four plain segments, and refuses a value forged with a cast', () => {
    expect(modelNameSegments(parseModelName('h:1/n/m:t'))).toEqual(['h:1', 'n', 'm', 't']);
    const forged = { host: '..', namespace: 'x', model: 'y', tag: 'z' } as unknown as ModelName;
    expect(() => modelNameSegments(forged)).toThrow(ModelNameError);
  });

  it('never yields ".", ".." or a separator as a segment, whatever the input', () => {
    const alphabet = ['a', 'Z', '0', '_', '-', '.', ':', '/', '\\', '%', ' '];
    for (let i = 0; i < 4000; i++) {
      let text = '';
      for (let n = 1 + (i % 9); n > 0; n--) text += alphabet[(i * 7 + n * 13 + n * n) % 11];
      const name = tryParseModelName(text);
      if (!name) continue;
      for (const segment of modelNameSegments(name)) {
        expect(segment).not.toMatch(/^\.{1,2}$|[/\\]/);
        expect(segment.length).toBeGreaterThan(0);
      }
    }
  });
});
