import { describe, expect, it } from 'vitest';
import { compileTemplate, RenderBudget } from '../../server/runtime/template';
import { localDate } from '../../server/runtime/template-functions';

const render = (source: string, data: Record<string, unknown> = {}) =>
  compileTemplate(source).render(data);

describe('Go text/template semantics', () => {
  it('break ends and continue skips a range iteration, also from inside if', () => {
    const source =
      '{{ range .L }}{{ if eq . 3 }}{{ continue }}{{ end }}{{ if eq . 5 }}{{ break }}{{ end }}{{ . }},{{ end }}';
    expect(render(source, { L: [1, 2, 3, 4, 5, 6] })).toBe('1,2,4,');
    // break leaves only the innermost range.
    const nested =
      '{{ range 3 }}{{ $o := . }}{{ range 3 }}{{ if eq . 1 }}{{ break }}{{ end }}{{ $o }}{{ . }} {{ end }}{{ end }}';
    expect(render(nested)).toBe('00 10 20 ');
  });

  it('refuses break and continue outside range, and in a range else branch', () => {
    expect(() => compileTemplate('{{ break }}')).toThrow(/\{\{break\}\} outside \{\{range\}\}/);
    expect(() => compileTemplate('{{ if 1 }}{{ continue }}{{ end }}')).toThrow(/outside/);
    expect(() => compileTemplate('{{ range .L }}{{ else }}{{ break }}{{ end }}')).toThrow(
      /outside/
    );
  });

  it('= assigns the variable where it was declared; := declares one that ends at {{ end }}', () => {
    const assign =
      '{{ $s := "" }}{{ range .L }}{{ if eq . "b" }}{{ $s = . }}{{ end }}{{ end }}[{{ $s }}]';
    expect(render(assign, { L: ['a', 'b', 'c'] })).toBe('[b]');
    const shadow = '{{ $s := "outer" }}{{ if 1 }}{{ $s := "inner" }}{{ $s }} {{ end }}{{ $s }}';
    expect(render(shadow)).toBe('inner outer');
    // A body's own := starts afresh every iteration.
    const fresh = '{{ range 3 }}{{ $n := 0 }}{{ $n = . }}{{ $n }}{{ end }}';
    expect(render(fresh)).toBe('012');
    expect(() => compileTemplate('{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}')).toThrow(
      /undefined variable "\$x"/
    );
    expect(() => compileTemplate('{{ $y = 1 }}')).toThrow(/undefined variable "\$y"/);
  });

  it('ranges over integers, sorted map keys, and with two variables', () => {
    expect(render('{{ range $i := 3 }}{{ $i }}{{ end }}')).toBe('012');
    expect(
      render('{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}', { M: { b: 2, a: 1 } })
    ).toBe('a=1;b=2;');
    expect(render('{{ range $i, $v := .L }}{{ $i }}{{ $v }}{{ end }}', { L: ['x', 'y'] })).toBe(
      '0x1y'
    );
    expect(() => render('{{ range .S }}{{ end }}', { S: 'text' })).toThrow(/can't iterate over/);
  });

  it('supports else if, else with, with declarations and parenthesized chains', () => {
    const chain = '{{ if eq .N 1 }}one{{ else if eq .N 2 }}two{{ else }}many{{ end }}';
    expect([1, 2, 3].map((N) => render(chain, { N }))).toEqual(['one', 'two', 'many']);
    const withElse = '{{ with .A }}A={{ . }}{{ else with .B }}B={{ . }}{{ else }}none{{ end }}';
    expect(render(withElse, { A: '', B: 'b' })).toBe('B=b');
    expect(render('{{ with $x := .A }}{{ $x }}{{ end }}', { A: 'v' })).toBe('v');
    expect(render('{{ (index .L 1).Name }}', { L: [{ Name: 'a' }, { Name: 'b' }] })).toBe('b');
  });

  it('formats like fmt: print spacing, printf verbs, widths', () => {
    expect(render('{{ print "a" "b" 1 2 }}')).toBe('ab1 2');
    expect(render('{{ println "a" 1 }}')).toBe('a 1\n');
    expect(
      render('{{ printf "%s=%d %q %v %5.2f|%-3s|%03d %%" "k" 7 "q" true 3.14159 "x" 5 }}')
    ).toBe('k=7 "q" true  3.14|x  |005 %');
    expect(render('{{ printf "%s %s" "only" }}')).toBe('only %!s(MISSING)');
  });

  it('evaluates Go literals, comments and trim markers', () => {
    expect(render('{{ "a\\tb" }}|{{ `raw\\n` }}|{{ 0x1F }}|{{ 017 }}|{{ \'A\' }}')).toBe(
      'a\tb|raw\\n|31|15|65'
    );
    expect(render('a {{- /* a comment with }} and " inside */ -}} b')).toBe('ab');
    expect(render('{{ -3 }}')).toBe('-3');
  });

  it('checks comparisons and indexes as Go does', () => {
    expect(render('{{ if lt 1 2 }}y{{ end }}{{ if ge "b" "a" }}y{{ end }}')).toBe('yy');
    expect(() => render('{{ lt 1 "a" }}')).toThrow(/incompatible types/);
    expect(() => render('{{ index .L 5 }}', { L: [1] })).toThrow(/index out of range/);
    expect(() => render('{{ slice .S 0 99 }}', { S: 'abc' })).toThrow(/index out of range/);
    expect(render('{{ len "héllo" }}')).toBe('6');
  });

  it('slices share the list as in Go: len, index, range, json and re-slicing', () => {
    const source =
      '{{ $s := slice .L 1 3 }}{{ len $s }} {{ index $s 0 }} {{ range $s }}{{ . }}{{ end }} ' +
      '{{ json $s }} {{ len (slice $s 1) }} {{ if slice .L 4 }}full{{ else }}empty{{ end }}';
    expect(render(source, { L: [1, 2, 3, 4] })).toBe('2 2 23 [2,3] 1 empty');
    expect(() => render('{{ index (slice .L 1) 3 }}', { L: [1, 2, 3, 4] })).toThrow(
      /index out of range: 3/
    );
  });

  it('writes the local date for currentDate, as Go does', () => {
    const at = new Date(2024, 1, 29, 23, 30);
    expect(localDate(at)).toBe('2024-02-29');
    expect(render('{{ currentDate }}')).toBe(localDate(new Date()));
  });

  it('stops at the wall-clock backstop when the step count underprices the work', () => {
    const budget = new RenderBudget({ maxMillis: -1 });
    expect(() => compileTemplate('{{ range 10000 }}{{ end }}').render({}, budget)).toThrow(
      /rendering took longer than -1 ms/
    );
  });
});
