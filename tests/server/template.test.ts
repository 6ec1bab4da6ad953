import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from '../../server/runtime/template';
import { parseToolCalls } from '../../server/runtime/tool-calls';
import { heldBackLength } from '../../server/runtime/answer-text';
import { fitPrompt } from '../../server/runtime/generate';
import type { Token } from 'node-llama-cpp';

const render = (source: string, data: Record<string, unknown>) =>
  compileTemplate(source).render(data);

describe('Go template subset', () => {
  it('prints fields and keeps text', () => {
    expect(render('{{ .System }} | {{ .Prompt }}', { System: 'be brief', Prompt: 'hi' })).toBe(
      'be brief | hi'
    );
  });

  it('supports if / else if / else and trim markers', () => {
    const source =
      '{{- if .System }}<s>{{ .System }}</s>\n{{- else if .Prompt }}P\n{{- else }}none{{ end }}';
    expect(render(source, { System: 'x', Prompt: '' })).toBe('<s>x</s>');
    expect(render(source, { System: '', Prompt: 'y' })).toBe('P');
    expect(render(source, { System: '', Prompt: '' })).toBe('none');
    expect(render('a  {{- " b " -}}  c', {})).toBe('a b c');
  });

  it('ranges over messages with eq, variables, $ and wire-shaped keys', () => {
    const source = [
      '{{- range $i, $m := .Messages }}',
      '{{- $last := eq (len (slice $.Messages $i)) 1 }}',
      '{{- if eq .Role "user" }}U:{{ .Content }}{{ else }}{{ .Role }}:{{ .Content }}{{ end }}',
      '{{- if $last }}|last{{ end }};',
      '{{- end }}'
    ].join('');
    const messages = [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'hey' }
    ];
    expect(render(source, { Messages: messages })).toBe('system:S;U:hello;assistant:hey|last;');
  });

  it('prints objects as JSON, like Ollama tools and tool call arguments', () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }
    ];
    const source =
      '{{ if $.Tools }}{{ range $.Tools }}{{ .Function.Name }}={{ .Function }}{{ end }}{{ end }}';
    expect(render(source, { Tools: tools })).toBe(
      'get_weather={"name":"get_weather","parameters":{"type":"object"}}'
    );
    const calls =
      '{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }}({{ .Function.Arguments }}){{ end }}{{ end }}';
    const messages = [
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }]
      }
    ];
    expect(render(calls, { Messages: messages })).toBe('f({"a":1})');
  });

  it('handles and/or/not, with, pipelines, range else and comments', () => {
    expect(render('{{ if and .A (not .B) }}yes{{ end }}', { A: 1, B: 0 })).toBe('yes');
    expect(render('{{ or .A "fallback" }}', { A: '' })).toBe('fallback');
    expect(render('{{ with .X }}[{{ . }}]{{ else }}none{{ end }}', { X: 'v' })).toBe('[v]');
    expect(render('{{ range .L }}x{{ else }}empty{{ end }}', { L: [] })).toBe('empty');
    expect(render('{{/* note */}}{{ .A | len }}', { A: 'abc' })).toBe('3');
  });

  it('reports which fields a template uses', () => {
    const t = compileTemplate('{{ .Prompt }}{{ if .Suffix }}<fim>{{ .Suffix }}{{ end }}');
    expect(t.uses('Suffix')).toBe(true);
    expect(t.uses('Messages')).toBe(false);
  });

  it('refuses unsupported syntax with a clear error', () => {
    expect(() => compileTemplate('{{ template "x" . }}')).toThrow(TemplateError);
    expect(() => compileTemplate('{{ toUpper .Prompt }}')).toThrow(
      /function "toUpper" not supported/
    );
    expect(() => compileTemplate('{{ if .A }}open')).toThrow(/missing \{\{ end \}\}/);
    expect(() => compileTemplate('{{ .Prompt ')).toThrow(/unclosed action/);
    expect(() => render('{{ $nope }}', {})).toThrow(/undefined variable/);
  });
});

describe('tool call parsing', () => {
  const tools = [{ type: 'function' as const, function: { name: 'get_weather' } }];

  it('finds JSON calls for offered tools, with object arguments', () => {
    const out = parseToolCalls(
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
      tools
    );
    expect(out.toolCalls).toEqual([
      { function: { name: 'get_weather', arguments: { city: 'Paris' }, index: 0 } }
    ]);
    expect(out.content).toBe('');
  });

  it('ignores JSON that is not a call to an offered tool', () => {
    const text = 'Here: {"name": "other", "arguments": {}}';
    expect(parseToolCalls(text, tools)).toEqual({ toolCalls: [], content: text });
  });
});

describe('stop strings and prompt fitting', () => {
  it('holds back text that may begin a stop string', () => {
    expect(heldBackLength('hello wo', ['world'])).toBe(2);
    expect(heldBackLength('hello', ['xyz'])).toBe(0);
  });

  it('keeps BOS and the newest tokens when the prompt is too long', () => {
    const tokens = [1, 10, 11, 12, 13, 14] as Token[];
    expect(fitPrompt(tokens, 4, 1 as Token)).toEqual([1, 13, 14]);
    expect(fitPrompt(tokens, 100, 1 as Token)).toBe(tokens);
  });
});
