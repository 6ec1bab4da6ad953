/**
 * Go text/template, as Ollama model templates use it: fields and variables, if / else
 * if / with / range (over lists, maps and integers) with break and continue, trim
 * markers, comments, pipelines, and the functions in template-functions.ts. Anything
 * else (define, template, block, unknown functions) fails with a TemplateError naming it.
 *
 * Lexing and parsing are linear in the source, which is capped in length and nesting;
 * rendering is capped by a RenderBudget (steps, output, range length). Templates can
 * come from clients, so these caps are what keep one request from stalling the server.
 */
import { RenderBudget } from './template-budget';
import { Executor } from './template-exec';
import { lex } from './template-lex';
import { parse, type Arg, type Node, type Pipe } from './template-parse';

export { TemplateError, type TemplateErrorKind } from './template-error';
export { RenderBudget, type TemplateLimits } from './template-budget';

export interface CompiledTemplate {
  readonly source: string;
  /**
   * Whether the template mentions a field or variable of this name anywhere, in any
   * letter case — how Ollama decides between the .Messages and .Prompt code paths.
   */
  uses(name: string): boolean;
  render(data: Record<string, unknown>, budget?: RenderBudget): string;
  /**
   * The template cut right after the first {{ .Response }}: Ollama renders the last
   * turn of a .Prompt/.Response template this way, so the prompt ends where the model's
   * reply begins (an unfinished reply included, for the model to continue).
   */
  untilResponse(): CompiledTemplate;
}

function mentionsResponse(pipe: Pipe): boolean {
  const inArg = (arg: Arg): boolean =>
    (arg.k === 'field' && arg.path.includes('Response')) ||
    (arg.k === 'pipe' && mentionsResponse(arg.pipe));
  return pipe.cmds.some((cmd) => cmd.some(inArg));
}

/**
 * Ollama's deleteNode walk: nodes are kept in order until an action that prints a
 * `.Response` field; everything after it — text, actions, the rest of enclosing blocks,
 * their else branches — is dropped. Block conditions are not inspected, as in Ollama.
 */
function cutAfterResponse(nodes: Node[]): Node[] {
  let cut = false;
  const walk = (list: Node[]): Node[] => {
    const kept: Node[] = [];
    for (const node of list) {
      if (cut) break;
      if (node.k === 'if' || node.k === 'with' || node.k === 'range') {
        const body = walk(node.list);
        const otherwise = node.else && !cut ? walk(node.else) : null;
        kept.push({ ...node, list: body, else: otherwise });
        continue;
      }
      kept.push(node);
      if (node.k === 'action' && mentionsResponse(node.pipe)) cut = true;
    }
    return kept;
  };
  return walk(nodes);
}

function build(source: string, nodes: Node[], identifiers: Set<string>): CompiledTemplate {
  let cut: CompiledTemplate | undefined;
  return {
    source,
    uses: (name) => identifiers.has(name.toLowerCase()),
    render: (data, budget = new RenderBudget()) => new Executor(budget).run(nodes, data),
    untilResponse: () => (cut ??= build(source, cutAfterResponse(nodes), identifiers))
  };
}

export function compileTemplate(source: string): CompiledTemplate {
  const { nodes, identifiers } = parse(lex(source));
  return build(source, nodes, identifiers);
}
