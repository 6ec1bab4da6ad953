/**
 * Stable codes for the refusals a person sees, sent beside Ollama's English `error`
 * string: API clients keep reading `error`, the app translates by `code` (with `params`
 * filled into the sentence), so a Chinese UI never shows a server's English.
 */
export const ERROR_CODES = [
  'invalid_credentials',
  'sign_in_throttled',
  'wrong_current_password',
  'setup_complete',
  'wrong_setup_token',
  'sign_in_required',
  'admin_required',
  'csrf',
  'rate_limited',
  'model_denied',
  'model_not_found',
  'username_taken',
  'group_name_taken',
  'last_admin',
  'delete_self',
  'server_busy'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorParams = Record<string, string | number>;

/** What a refusal may carry besides its message. */
export interface ErrorDetail {
  code: ErrorCode;
  params?: ErrorParams;
}

/** Ollama's error body, with Hearth's code when the refusal has one. */
export interface ErrorBody {
  error: string;
  code?: ErrorCode;
  params?: ErrorParams;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
