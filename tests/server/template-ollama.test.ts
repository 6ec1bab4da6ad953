import { describe, expect, it } from 'vitest';
import type { Message, Tool } from '#protocol/ollama/types';
import { collate } from '../../server/runtime/template-data';
import { chatText, generateText, type TemplateModel } from '../../server/runtime/template-prompt';

const model = (template: string, extra: Partial<TemplateModel> = {}): TemplateModel => ({
  name: 'm',
  template,
  system: undefined,
  messages: [],
  ...extra
});
const chat = (template: string, messages: Message[], tools?: Tool[], extra = {}) =>
  chatText({ kind: 'chat', messages, tools }, model(template, extra));

/** In the style of Ollama's gemma template: system folded into the first user turn. */
const GEMMA_STYLE = [
  '{{- $sys := "" }}',
  '{{- range .Messages }}',
  '{{- if eq .Role "system" }}{{ $sys = .Content }}{{ continue }}',
  '{{- else if eq .Role "user" }}<turn>user',
  '{{- if $sys }}\n{{ $sys }}{{ $sys = "" }}{{ end }}',
  '{{- else if eq .Role "assistant" }}<turn>model',
  '{{- end }}\n{{ .Content }}<end>\n',
  '{{ end }}<turn>model\n'
].join('');

/** In the style of Ollama's vicuna template: .Prompt / .Response, no .Messages. */
const VICUNA_STYLE =
  '{{ if .System }}{{ .System }}\n\n{{ end }}{{ if .Prompt }}USER: {{ .Prompt }}\n{{ end }}ASSISTANT: {{ .Response }}</s>\n';

describe('Ollama-library-style templates', () => {
  it('renders a gemma-style template with continue and a system prompt kept across iterations', () => {
    const text = chat(GEMMA_STYLE, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Bye' }
    ]);
    expect(text).toBe(
      '<turn>user\nBe terse.\nHi<end>\n<turn>model\nHello.<end>\n<turn>user\nBye<end>\n<turn>model\n'
    );
  });

  it('renders a vicuna-style template turn by turn, keeping the system prompt', () => {
    const text = chat(VICUNA_STYLE, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Bye' }
    ]);
    expect(text).toBe('Be terse.\n\nUSER: Hi\nASSISTANT: Hello.</s>\nUSER: Bye\nASSISTANT: ');
  });

  it('ends a .Prompt/.Response transcript that ends with a reply inside that reply', () => {
    const text = chat(VICUNA_STYLE, [
      { role: 'user', content: 'Count' },
      { role: 'assistant', content: 'One, two,' }
    ]);
    // No extra empty turn: the model continues its own unfinished reply.
    expect(text).toBe('USER: Count\nASSISTANT: One, two,');
  });

  it('appends {{ .Response }} to a template that has neither it nor .Messages', () => {
    const text = chat('[{{ .Prompt }}]', [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' }
    ]);
    expect(text).toBe('[a]b[c]');
  });

  it('cuts the last turn after the first {{ .Response }} action, even one inside a block', () => {
    const source = '<u>{{ .Prompt }}{{ if .Response }}<r>{{ .Response }}</r>{{ end }}<end>';
    // The condition does not cut; the action inside it does, and <end> goes with it.
    expect(chat(source, [{ role: 'user', content: 'q' }])).toBe('<u>q');
    expect(
      chat(source, [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'pa' }
      ])
    ).toBe('<u>q<r>pa');
  });
});

describe('messages as Ollama prepares them', () => {
  it('merges consecutive same-role messages with a blank line, but never tool results', () => {
    const { system, messages } = collate([
      { role: 'system', content: 'A' },
      { role: 'system', content: 'B' },
      { role: 'user', content: 'u1' },
      { role: 'user', content: 'u2' },
      { role: 'tool', content: 't1' },
      { role: 'tool', content: 't2' }
    ]);
    expect(system).toBe('A\n\nB');
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['system', 'A\n\nB'],
      ['user', 'u1\n\nu2'],
      ['tool', 't1'],
      ['tool', 't2']
    ]);
    const source = '{{ .System }}|{{ range .Messages }}{{ .Role }}:{{ .Content }};{{ end }}';
    expect(
      chat(source, [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' }
      ])
    ).toBe('|user:a\n\nb;');
  });

  it("adds the model's system prompt unless the request starts with its own", () => {
    const source = '{{ range .Messages }}{{ .Role }}:{{ .Content }};{{ end }}';
    const extra = { system: 'model sys' };
    expect(chat(source, [{ role: 'user', content: 'hi' }], undefined, extra)).toBe(
      'system:model sys;user:hi;'
    );
    expect(
      chat(
        source,
        [
          { role: 'system', content: 'mine' },
          { role: 'user', content: 'hi' }
        ],
        undefined,
        extra
      )
    ).toBe('system:mine;user:hi;');
  });

  it("generate sends the system prompt, the model's messages and the prompt", () => {
    const source = '{{ range .Messages }}{{ .Role }}:{{ .Content }};{{ end }}';
    const resolved = model(source, {
      system: 'sys',
      messages: [
        { role: 'user', content: 'example q' },
        { role: 'assistant', content: 'example a' }
      ]
    });
    expect(generateText({ kind: 'generate', prompt: 'p' }, resolved)).toBe(
      'system:sys;user:example q;assistant:example a;user:p;'
    );
    // An empty system in the request leaves the model's, as in Ollama.
    expect(
      generateText({ kind: 'generate', prompt: 'p', system: '', context: [1] }, resolved)
    ).toBe('system:sys;user:p;');
  });

  it('gives a fill-in-the-middle template only the prompt and the suffix', () => {
    const resolved = model('<PRE>{{ .Prompt }}<SUF>{{ .Suffix }}<MID>{{ .System }}');
    expect(
      generateText({ kind: 'generate', prompt: 'a', suffix: 'b', system: 'ignored' }, resolved)
    ).toBe('<PRE>a<SUF>b<MID>');
  });
});

describe('tools and tool calls as Go marshals them', () => {
  const tools: Tool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather <now> & later',
        parameters: {
          type: 'object',
          required: ['city'],
          additionalProperties: false,
          properties: {
            unit: { type: 'string', enum: ['c', 'f'], default: 'c' },
            city: { description: 'City', type: ['string', 'null'] },
            where: {
              type: 'object',
              properties: { lon: { type: 'number' }, lat: { type: 'number' } }
            }
          }
        }
      }
    },
    { type: 'function', function: { name: 'now' } }
  ];

  it('writes struct fields in declaration order, map keys sorted, unknown keys dropped', () => {
    expect(chat('{{ json .Tools }}{{ range .Messages }}{{ end }}', [], tools)).toBe(
      '[{"type":"function","function":{"name":"get_weather","description":"Weather \\u003cnow\\u003e \\u0026 later",' +
        '"parameters":{"type":"object","required":["city"],"properties":{' +
        '"city":{"type":["string","null"],"description":"City"},' +
        '"unit":{"type":"string","enum":["c","f"]},' +
        '"where":{"type":"object","properties":{"lon":{"type":"number"},"lat":{"type":"number"}}}}}}},' +
        '{"type":"function","function":{"name":"now","description":"","parameters":{"type":"","properties":null}}}]'
    );
  });

  it('prints a tool and ranges over its properties like Ollama', () => {
    const source =
      '{{ range .Messages }}{{ end }}{{ range .Tools }}{{ .Function.Name }}(' +
      '{{ range $name, $p := .Function.Parameters.Properties }}{{ $name }}: {{ $p.Type }} / {{ toTypeScriptType $p }}, {{ end }})\n{{ end }}';
    expect(chat(source, [], tools)).toBe(
      'get_weather(city: [string null] / string | null, unit: string / string, where: object / Record<string, any>, )\nnow()\n'
    );
    expect(chat('{{ range .Messages }}{{ end }}{{ if .Tools }}yes{{ else }}no{{ end }}', [])).toBe(
      'no'
    );
  });

  it('writes tool-call arguments with sorted keys, and messages with Go field names', () => {
    const messages: Message[] = [
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { function: { name: 'get_weather', arguments: { z: 1, a: { y: '<', b: 2 } } } }
        ]
      }
    ];
    const source =
      '{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Arguments }}|{{ json .Function.Arguments }}|' +
      '{{ range $k, $v := .Function.Arguments }}{{ $k }};{{ end }}|{{ json . }}{{ end }}{{ end }}';
    expect(chat(source, messages)).toBe(
      '{"a":{"b":2,"y":"\\u003c"},"z":1}|{"a":{"b":2,"y":"\\u003c"},"z":1}|a;z;|' +
        '{"ID":"","Function":{"Index":0,"Name":"get_weather","Arguments":{"a":{"b":2,"y":"\\u003c"},"z":1}}}'
    );
    expect(
      chat('{{ range .Messages }}{{ json . }}{{ end }}', [{ role: 'user', content: 'hi' }])
    ).toBe(
      '{"Role":"user","Content":"hi","Thinking":"","Images":null,"ToolCalls":null,"ToolName":"","ToolCallID":""}'
    );
  });
});
