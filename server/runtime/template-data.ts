/**
 * The values Ollama hands a model template, built from wire messages and tools. Ollama
 * decodes requests into Go structs (api.Tool, api.ToolProperty…) and converts them for
 * templates; these mirrors keep the same fields, field order and json tags, so
 * `{{ json $.Tools }}`, `{{ .Function.Arguments }}` and friends write byte for byte
 * what Ollama writes: struct fields in declaration order, map keys sorted, unknown
 * schema keys dropped.
 */
import type { Message, Tool, ToolCall } from '#protocol/ollama/types';
import { GoStruct, type JsonTag } from './template-values';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : null;

/**
 * Ollama's collate: consecutive messages of one role become one, contents joined by a
 * blank line (tool results stay separate; the first message's other fields win), and
 * every system message's content, joined the same way, becomes .System.
 */
export function collate(messages: readonly Message[]): { system: string; messages: Message[] } {
  const system: string[] = [];
  const collated: Message[] = [];
  for (const message of messages) {
    if (message.role === 'system') system.push(message.content);
    const last = collated[collated.length - 1];
    if (last && last.role === message.role && message.role !== 'tool')
      collated[collated.length - 1] = { ...last, content: `${last.content}\n\n${message.content}` };
    else collated.push(message);
  }
  return { system: system.join('\n\n'), messages: collated };
}

/** api.PropertyType: one type marshals as a string, several as a list. */
function propertyType(value: unknown): GoStruct {
  const types = typeof value === 'string' ? [value] : (strings(value) ?? []);
  return new GoStruct(
    'PropertyType',
    {},
    {
      items: types,
      empty: types.length === 0,
      marshal: () => (types.length === 1 ? types[0] : types),
      text: () => (types.length === 1 ? types[0] : types.length ? `[${types.join(' ')}]` : '')
    }
  );
}

const PROPERTY_TAGS: Record<string, JsonTag> = {
  AnyOf: ['anyOf', true],
  Type: ['type', true],
  Items: ['items', true],
  Description: ['description', true],
  Enum: ['enum', true],
  Properties: ['properties', true],
  Required: ['required', true]
};

/** api.ToolProperty; nested `properties` keep the request's order (an ordered map). */
function toolProperty(value: unknown): GoStruct {
  const p = isRecord(value) ? value : {};
  const anyOf = Array.isArray(p.anyOf) ? p.anyOf.map(toolProperty) : null;
  let nested: GoStruct | null = null;
  if (isRecord(p.properties)) {
    const entries = Object.entries(p.properties).map(([k, v]) => [k, toolProperty(v)] as const);
    // An ordered map in Ollama: marshalled in the request's order, not sorted.
    nested = new GoStruct('*ToolPropertiesMap', {}, { marshal: () => orderedObject(entries) });
  }
  return new GoStruct(
    'ToolProperty',
    {
      AnyOf: anyOf,
      Type: propertyType(p.type),
      Items: p.items ?? null,
      Description: str(p.description),
      Enum: Array.isArray(p.enum) ? p.enum : null,
      Properties: nested,
      Required: strings(p.required)
    },
    { tags: PROPERTY_TAGS }
  );
}

/** An object whose keys marshal in the given order (a struct with one field per key). */
function orderedObject(entries: ReadonlyArray<readonly [string, unknown]>): GoStruct {
  return new GoStruct('orderedmap', Object.fromEntries(entries));
}

/** template.templateTool: Ollama's template view of api.Tool. */
export function templateTools(tools: readonly Tool[] | undefined | null): GoStruct[] | null {
  if (!tools) return null;
  return tools.map((tool) => {
    const fn: Record<string, unknown> = isRecord(tool.function) ? { ...tool.function } : {};
    const params = isRecord(fn.parameters) ? fn.parameters : {};
    const properties = isRecord(params.properties)
      ? Object.fromEntries(Object.entries(params.properties).map(([k, v]) => [k, toolProperty(v)]))
      : null;
    const parameters = new GoStruct(
      'templateToolFunctionParameters',
      {
        Type: str(params.type),
        Defs: params.$defs ?? null,
        Items: params.items ?? null,
        Required: strings(params.required),
        Properties: properties
      },
      {
        tags: {
          Type: ['type', false],
          Defs: ['$defs', true],
          Items: ['items', true],
          Required: ['required', true],
          Properties: ['properties', false]
        }
      }
    );
    const fields = {
      Type: str(tool.type),
      Items: (tool as { items?: unknown }).items ?? null,
      Function: new GoStruct(
        'templateToolFunction',
        { Name: str(fn.name), Description: str(fn.description), Parameters: parameters },
        {
          tags: {
            Name: ['name', false],
            Description: ['description', false],
            Parameters: ['parameters', false]
          }
        }
      )
    };
    const tags: Record<string, JsonTag> = {
      Type: ['type', false],
      Items: ['items', true],
      Function: ['function', false]
    };
    return new GoStruct('templateTool', fields, { tags });
  });
}

function templateToolCall(call: ToolCall): GoStruct {
  const fn = call.function;
  return new GoStruct('templateToolCall', {
    ID: str((call as { id?: unknown }).id),
    Function: new GoStruct('templateToolCallFunction', {
      Index: typeof fn.index === 'number' ? fn.index : 0,
      Name: str(fn.name),
      // A Go map: ranged and marshalled with sorted keys, printed as its JSON.
      Arguments: isRecord(fn.arguments) ? fn.arguments : {}
    })
  });
}

/** template.templateMessage: no json tags, so `{{ json . }}` writes the Go field names. */
export function templateMessages(messages: readonly Message[]): GoStruct[] {
  return messages.map(
    (m) =>
      new GoStruct('*templateMessage', {
        Role: m.role,
        Content: m.content,
        Thinking: str(m.thinking),
        Images: m.images?.length ? m.images : null,
        ToolCalls: m.tool_calls?.length ? m.tool_calls.map(templateToolCall) : null,
        ToolName: str(m.tool_name),
        ToolCallID: str((m as { tool_call_id?: unknown }).tool_call_id)
      })
  );
}
