/**
 * Engine failures → what the user should do about them. The advice is an i18n key
 * (engines.errors.<code>) with English text as the fallback; the engine's own message
 * follows it so the specific cause is never lost.
 */
import { EngineError, type EngineErrorCode } from './engine';

export const ERROR_ADVICE: Record<EngineErrorCode, string> = {
  'not-supported': 'This device or engine cannot run that.',
  'does-not-fit': 'This model does not fit on this device.',
  'bad-model': 'The model file could not be loaded — it may be corrupt or an unsupported GGUF.',
  'not-downloaded': 'Download the model first (Models page).',
  'engine-missing':
    'The engine’s files are not on this device yet: connect to the network once (or to the Hearth server that serves this page), then try again.',
  'context-full':
    'The conversation no longer fits in the model’s context window: start a new chat, or let the oldest turns go.',
  crashed: 'The engine crashed. Press “Reload engine” to start it again.',
  'device-lost':
    'The GPU was lost (often out of GPU memory). Press “Reload engine”, or pick a smaller model.',
  aborted: 'Stopped.'
};

export type Translate = (key: string, fallback: string) => string;

export function errorCodeOf(error: unknown): EngineErrorCode | null {
  return error instanceof EngineError ? error.code : null;
}

/** Errors after which the engine must be reloaded before it can answer again. */
export function needsReload(code: EngineErrorCode | null): boolean {
  return code === 'crashed' || code === 'device-lost';
}

export function userMessage(error: unknown, translate?: Translate): string {
  const detail = error instanceof Error ? error.message : String(error);
  const code = errorCodeOf(error);
  if (!code) return detail;
  const advice = translate
    ? translate(`engines.errors.${code}`, ERROR_ADVICE[code])
    : ERROR_ADVICE[code];
  if (!detail || detail === advice || code === 'aborted') return advice;
  return `${advice} ${detail}`;
}
