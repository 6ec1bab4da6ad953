/**
 * Finds tool calls in model output. Tool-calling models write them as JSON, usually
 * `{"name": …, "arguments": {…}}` (alone, in a list, or inside tags such as
 * <tool_call>…</tool_call>); Ollama recognises them the same way, by shape, and only
 * for names the request offered.
 */
import type { Tool, ToolCall } from '#protocol/ollama/types';

/** Top-level balanced {...} / [...] spans, skipping brackets inside strings. */
function jsonSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth--;
      if (depth === 0) spans.push({ start, end: i + 1 });
    }
  }
  return spans;
}

function asCall(value: unknown, names: Set<string>): ToolCall | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const inner =
    record.function && typeof record.function === 'object'
      ? (record.function as Record<string, unknown>)
      : record;
  const name = inner.name;
  if (typeof name !== 'string' || !names.has(name)) return undefined;
  let args = inner.arguments ?? inner.parameters ?? {};
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) return undefined;
  return { function: { name, arguments: args as Record<string, unknown> } };
}

export function parseToolCalls(
  text: string,
  tools: Tool[]
): { toolCalls: ToolCall[]; content: string } {
  const names = new Set(tools.map((t) => t.function.name));
  const toolCalls: ToolCall[] = [];
  let content = '';
  let at = 0;
  for (const span of jsonSpans(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(span.start, span.end));
    } catch {
      continue;
    }
    const calls = (Array.isArray(parsed) ? parsed : [parsed]).map((v) => asCall(v, names));
    if (calls.length === 0 || calls.some((c) => c === undefined)) continue;
    toolCalls.push(...(calls as ToolCall[]));
    content += text.slice(at, span.start);
    at = span.end;
  }
  content += text.slice(at);
  if (toolCalls.length > 0)
    content = content.replace(/<\/?tool_calls?>|\[TOOL_CALLS\]/g, '').trim();
  toolCalls.forEach((call, index) => (call.function.index = index));
  return { toolCalls, content: toolCalls.length > 0 ? content : text };
}
