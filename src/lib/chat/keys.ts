/**
 * The keys of every message box (the composer, the inline editor of a sent message), so
 * they cannot drift apart: Enter sends, Shift+Enter breaks the line. While an IME is
 * composing (Chinese pinyin, Japanese kana), Enter confirms the candidate and Escape drops
 * it: neither may send, stop or cancel anything.
 */
type KeyInfo = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'altKey' | 'isComposing' | 'keyCode'>;

export function imeComposing(event: KeyInfo): boolean {
  // keyCode 229 is what some browsers report for keys the IME is still handling.
  return event.isComposing || event.keyCode === 229;
}

/** Whether this keydown means "send" (Alt+Enter does not, as it never did in the composer). */
export function sendKey(event: KeyInfo): boolean {
  return !imeComposing(event) && event.key === 'Enter' && !event.shiftKey && !event.altKey;
}
