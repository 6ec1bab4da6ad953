import { describe, expect, it } from 'vitest';
import { DomainError } from '../../server/domain-errors';
import { httpStatusOf } from '../../server/http/error-status';
import { compileTemplate, RenderBudget, TemplateError } from '../../server/runtime/template';
import { MAX_TEMPLATE_DEPTH, MAX_TEMPLATE_LENGTH } from '../../server/runtime/template-budget';
import { chatText, generateText } from '../../server/runtime/template-prompt';
import { parseKeepAlive } from '#protocol/ollama/duration';

// No wall-clock limit here: the step and size budgets must trip on their own, whatever
// the machine's load (the clock is only a backstop for work priced too low).
const steady = (limits: ConstructorParameters<typeof RenderBudget>[0] = {}) =>
  new RenderBudget({ maxMillis: Infinity, ...limits });
const render = (source: string, data: Record<string, unknown> = {}, budget = steady()) =>
  compileTemplate(source).render(data, budget);

/** The error a call throws, so tests can look at its type, kind and status. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const model = (template?: string) => ({ name: 'm', template, system: undefined, messages: [] });
const generate = (template: string, prompt = 'hi') =>
  generateText({ kind: 'generate', prompt, template }, model());

describe('template bombs end in a budget error', () => {
  it('refuses {{range 100000000}} before iterating', () => {
    const error = thrown(() => render('{{range 100000000}}{{end}}'));
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).kind).toBe('limit');
    expect((error as Error).message).toMatch(/range over 100000000 items exceeds the limit/);
  });

  it('stops nested ranges {{range 3000}}{{range 3000}} at the step budget', () => {
    const error = thrown(() => render('{{range 3000}}{{range 3000}}{{end}}{{end}}'));
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).kind).toBe('limit');
    expect((error as Error).message).toMatch(/exceeded the budget of \d+ steps/);
  });

  it('refuses 100,000 spaces then x{{- .Prompt }} by length, and trims a shorter run in one pass', () => {
    const bomb = thrown(() => generate(`${' '.repeat(100_000)}x{{- .Prompt }}`));
    expect(httpStatusOf(bomb)).toBe(400);
    expect((bomb as Error).message).toMatch(/characters long; the limit is/);
    // Within the length limit the trim is a loop, not a regex that rescans every space.
    const spaces = ' '.repeat(30_000);
    expect(render(`${spaces}x{{- .Prompt }}${spaces}`, { Prompt: 'p' })).toBe(
      `${spaces}xp${spaces}`
    );
    expect(render(`x${spaces}{{- .Prompt -}}${spaces}y`, { Prompt: 'p' })).toBe('xpy');
  });

  it('answers each bomb sent as a request template with a 400', () => {
    for (const template of [
      '{{range 100000000}}{{end}}',
      '{{range 3000}}{{range 3000}}{{end}}{{end}}',
      '{{printf "%0999999999d" 1}}',
      '{{ $x := "ab" }}{{ range 40 }}{{ $x = printf "%s%s" $x $x }}{{ end }}'
    ]) {
      const error = thrown(() => generate(template));
      expect(error).toBeInstanceOf(DomainError);
      expect(httpStatusOf(error)).toBe(400);
      expect((error as Error).message).toMatch(/^template: /);
    }
  });

  it('bounds output, also when a small template repeats a big value', () => {
    const budget = steady({ maxOutput: 1000 });
    expect(() =>
      render('{{ range 10 }}{{ $.P }}{{ end }}', { P: 'x'.repeat(200) }, budget)
    ).toThrow(/rendered output exceeds the limit of 1000 characters/);
    expect(() => generate('{{ range 5000 }}{{ $.Prompt }}{{ end }}', 'y'.repeat(10_000))).toThrow(
      /rendered output exceeds the limit|took longer than/
    );
  });

  it('charges for bytes built, compared and marshalled, not only for nodes', () => {
    const big = { P: 'a'.repeat(1_000_000), Q: 'a'.repeat(1_000_000) };
    expect(() => render('{{ range 1000 }}{{ if eq $.P $.Q }}{{ end }}{{ end }}', big)).toThrow(
      /exceeded the budget/
    );
    expect(() => render('{{ range 1000 }}{{ $x := json $.P }}{{ end }}', big)).toThrow(
      /exceeded the budget/
    );
  });

  it('bounds the source length and the nesting depth', () => {
    const long = thrown(() => compileTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1)));
    expect((long as TemplateError).kind).toBe('limit');
    const depth = MAX_TEMPLATE_DEPTH + 1;
    expect(() => compileTemplate('{{ if 1 }}'.repeat(depth) + '{{ end }}'.repeat(depth))).toThrow(
      /nested deeper than/
    );
    expect(() => compileTemplate(`{{ ${'('.repeat(depth)}1${')'.repeat(depth)} }}`)).toThrow(
      /nested too deep/
    );
    expect(render(`{{ ${'('.repeat(10)}1${')'.repeat(10)} }}`)).toBe('1');
  });

  it('lexes long runs of trim markers, variables and literals in linear time', () => {
    // Each would be quadratic with a regex over the rest of the source per action.
    expect(render('{{- 1 -}} '.repeat(5000))).toBe('1'.repeat(5000));
    expect(render(`${'{{ $a := 1 }}'.repeat(3000)}{{ $a }}`)).toBe('1');
    expect(() => compileTemplate(`{{ ${'1'.repeat(50_000)}x }}`)).toThrow(/bad number syntax/);
    expect(() => compileTemplate(`{{ "${'a'.repeat(50_000)} }}`)).toThrow(/unterminated/);
  });
});

describe('template failures map to HTTP statuses', () => {
  it('a request template that does not parse is a 400', () => {
    const error = thrown(() => generate('{{ if }}'));
    expect(httpStatusOf(error)).toBe(400);
  });

  it("a model's broken template is a 500 that names the model template", () => {
    const error = thrown(() =>
      chatText({ kind: 'chat', messages: [{ role: 'user', content: 'hi' }] }, model('{{ .X.Y.Z'))
    );
    expect(httpStatusOf(error)).toBe(500);
    expect((error as Error).message).toMatch(/^model template: unclosed action/);
  });

  it('a long chat through a llama-style template stays within a budget that grows with it', () => {
    const messages = Array.from({ length: 3000 }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `turn ${i}`
    }));
    const llama =
      '{{- range $i, $m := .Messages }}{{- $last := eq (len (slice $.Messages $i)) 1 }}' +
      '<|{{ $m.Role }}|>{{ $m.Content }}{{ if $last }}<|assistant|>{{ end }}{{ end }}';
    const text = chatText({ kind: 'chat', messages }, model(llama));
    expect(text.startsWith('<|user|>turn 0<|assistant|>turn 1')).toBe(true);
    expect(text.endsWith('<|assistant|>turn 2999<|assistant|>')).toBe(true);
  });

  it("a model template given more than its budget is the request's 400", () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: String(i)
    }));
    const heavy = '{{ range .Messages }}{{ range $.Messages }}{{ end }}{{ end }}';
    const error = thrown(() => chatText({ kind: 'chat', messages }, model(heavy)));
    expect(httpStatusOf(error)).toBe(400);
    expect((error as Error).message).toMatch(/\(model template\)$/);
  });
});

describe('other request-reachable regexes', () => {
  it('parses keep_alive durations in one pass, even a long run of digits', () => {
    expect(parseKeepAlive('1h30m', 0)).toBe(5_400_000);
    expect(parseKeepAlive('1.5s300ms', 0)).toBe(1800);
    expect(() => parseKeepAlive('5x', 0)).toThrow(/invalid duration/);
    // Quadratic with a scanning regex: minutes for 200,000 digits.
    expect(() => parseKeepAlive(`${'1'.repeat(200_000)}x`, 0)).toThrow(/invalid duration/);
  });
});
