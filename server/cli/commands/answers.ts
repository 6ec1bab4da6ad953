/** Shared by one-shot and interactive runs: error wording and the --verbose timing block. */
import type { Metrics } from '#protocol/ollama/types';
import { CliError } from '../client';

/** Ollama's wording, so a missing model says what to do next. */
export function withPullHint(error: unknown, model: string): unknown {
  if (error instanceof CliError && error.status === 404) {
    return new CliError(
      `model '${model}' not found, try pulling it first ("hearth pull ${model}")`,
      404
    );
  }
  return error;
}

export function formatMetrics(m: Metrics): string {
  const seconds = (ns?: number) => ((ns ?? 0) / 1e9).toFixed(3) + 's';
  const rate = (count?: number, ns?: number) =>
    count && ns ? `${(count / (ns / 1e9)).toFixed(2)} tokens/s` : '-';
  return [
    `total duration:       ${seconds(m.total_duration)}`,
    `load duration:        ${seconds(m.load_duration)}`,
    `prompt eval count:    ${m.prompt_eval_count ?? 0} token(s)`,
    `prompt eval duration: ${seconds(m.prompt_eval_duration)}`,
    `prompt eval rate:     ${rate(m.prompt_eval_count, m.prompt_eval_duration)}`,
    `eval count:           ${m.eval_count ?? 0} token(s)`,
    `eval duration:        ${seconds(m.eval_duration)}`,
    `eval rate:            ${rate(m.eval_count, m.eval_duration)}`
  ].join('\n');
}
