/** `hearth list | ps | show | cp | rm`: thin views over the model-management endpoints. */
import type { ListResponse, ProcessResponse, ShowResponse } from '#protocol/ollama/types';
import type { HearthClient } from '../client';
import { humanBytes, humanTime, processorSplit, renderTable, shortDigest } from '../format';

type Out = (text: string) => void;

export async function listModels(client: HearthClient, out: Out): Promise<void> {
  const { models } = await client.json<ListResponse>('GET', '/api/tags');
  const rows = models.map((m) => [
    m.name,
    shortDigest(m.digest),
    humanBytes(m.size),
    humanTime(new Date(m.modified_at))
  ]);
  out(renderTable(['NAME', 'ID', 'SIZE', 'MODIFIED'], rows));
}

export async function listRunning(client: HearthClient, out: Out): Promise<void> {
  const { models } = await client.json<ProcessResponse>('GET', '/api/ps');
  const withContext = models.some((m) => m.context_length);
  const header = ['NAME', 'ID', 'SIZE', 'PROCESSOR', ...(withContext ? ['CONTEXT'] : []), 'UNTIL'];
  const rows = models.map((m) => {
    const expires = new Date(m.expires_at);
    const until = expires.getTime() < Date.now() ? 'Stopping...' : humanTime(expires);
    return [
      m.name,
      shortDigest(m.digest),
      humanBytes(m.size),
      processorSplit(m.size, m.size_vram),
      ...(withContext ? [m.context_length ? String(m.context_length) : ''] : []),
      until
    ];
  });
  out(renderTable(header, rows));
}

export type ShowField = 'modelfile' | 'parameters' | 'template' | 'system' | 'license';

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

function section(title: string, rows: Array<[string, string]>): string {
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map(([key]) => key.length)) + 4;
  return `  ${title}\n${rows.map(([k, v]) => `    ${k.padEnd(width)}${v}`.trimEnd()).join('\n')}\n\n`;
}

/** model_info keys are "<architecture>.<field>"; pick the model's own. */
function infoNumber(
  info: Record<string, unknown>,
  arch: string,
  field: string
): string | undefined {
  const value = info[`${arch}.${field}`];
  return typeof value === 'number' ? String(value) : undefined;
}

export function renderShow(show: ShowResponse): string {
  const info = show.model_info ?? {};
  const arch = String(info['general.architecture'] ?? show.details.family ?? '');
  const modelRows: Array<[string, string | undefined]> = [
    ['architecture', arch || undefined],
    ['parameters', show.details.parameter_size || undefined],
    ['context length', infoNumber(info, arch, 'context_length')],
    ['embedding length', infoNumber(info, arch, 'embedding_length')],
    ['quantization', show.details.quantization_level || undefined]
  ];
  let text =
    '\n' +
    section(
      'Model',
      modelRows.filter((r): r is [string, string] => r[1] !== undefined)
    );
  if (show.capabilities?.length)
    text += section(
      'Capabilities',
      show.capabilities.map((c) => [c, ''])
    );
  const params = (show.parameters ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line): [string, string] => {
      const space = line.search(/\s/);
      return space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space).trim()];
    });
  text += section('Parameters', params);
  if (show.system) text += `  System\n${indent(show.system.trim(), 4)}\n\n`;
  if (show.license) {
    const head = show.license.trim().split('\n').slice(0, 2).join('\n');
    text += `  License\n${indent(head, 4)}\n\n`;
  }
  return text;
}

export async function showModel(
  client: HearthClient,
  model: string,
  field: ShowField | undefined,
  out: Out
): Promise<void> {
  const show = await client.json<ShowResponse>('POST', '/api/show', { model });
  if (!field) return out(renderShow(show));
  const value = show[field];
  if (value === undefined || value === '') {
    const what = field === 'parameters' ? 'parameters' : field;
    out(`No ${what} was specified for this model.\n`);
    return;
  }
  out(value.endsWith('\n') ? value : `${value}\n`);
}

export async function copyModel(
  client: HearthClient,
  source: string,
  destination: string,
  out: Out
): Promise<void> {
  await client.json('POST', '/api/copy', { source, destination });
  out(`copied '${source}' to '${destination}'\n`);
}

export async function removeModels(
  client: HearthClient,
  models: string[],
  out: Out
): Promise<void> {
  for (const model of models) {
    await client.json('DELETE', '/api/delete', { model });
    out(`deleted '${model}'\n`);
  }
}
