/** The one error type of the template engine, shared by its lexer, parser and evaluator. */

/**
 * What went wrong decides the HTTP status: a template that does not parse or fails while
 * running is the fault of whoever wrote it; a budget ("limit") is tripped by a template
 * or data too big to render without stalling the server for everyone else.
 */
export type TemplateErrorKind = 'parse' | 'exec' | 'limit';

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly kind: TemplateErrorKind = 'exec'
  ) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

/** Template text quoted in a message, cut short so a huge action cannot come back whole. */
export function snippet(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
