/**
 * CSV that spreadsheets open as intended: RFC 4180 quoting, CRLF line ends, and a
 * UTF-8 byte order mark so Excel reads non-Latin text (张伟) as UTF-8 rather than the
 * system's code page.
 */
export const CSV_BOM = '\uFEFF';

/**
 * A spreadsheet runs a cell that starts like a formula, and cells here hold what
 * people typed (usernames, model names), so such a cell gets a leading apostrophe
 * (OWASP's advice), which spreadsheets read as "this is text".
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
