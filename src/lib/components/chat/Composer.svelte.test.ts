import { describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import Composer from './Composer.svelte';

async function setup(props: { busy?: boolean; hasModel?: boolean; sends?: boolean } = {}) {
  const onsend = vi.fn(async (_text: string) => props.sends ?? true);
  const onstop = vi.fn();
  const screen = await render(Composer, {
    busy: props.busy ?? false,
    hasModel: props.hasModel ?? true,
    onsend,
    onstop
  });
  const box = screen.getByRole('textbox', { name: 'Message' });
  return { screen, box, onsend, onstop };
}

/** A keydown the way an IME delivers it while a candidate is still being composed. */
function composingEnter(target: Element) {
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true })
  );
}

describe('Composer', () => {
  test('Enter sends the text and empties the box', async () => {
    const { box, onsend } = await setup();
    await box.fill('hello there');
    await userEvent.keyboard('{Enter}');
    expect(onsend).toHaveBeenCalledExactlyOnceWith('hello there');
    await expect.element(box).toHaveValue('');
  });

  test('Shift+Enter breaks the line instead of sending', async () => {
    const { box, onsend } = await setup();
    await box.click();
    await userEvent.keyboard('first{Shift>}{Enter}{/Shift}second');
    await expect.element(box).toHaveValue('first\nsecond');
    expect(onsend).not.toHaveBeenCalled();
  });

  test('an Enter that confirms an IME candidate does not send', async () => {
    const { box, onsend } = await setup();
    await box.fill('ni hao');
    composingEnter(box.element());
    // keyCode 229: what Chromium reports for a key the IME is still handling.
    box
      .element()
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true }));
    await expect.element(box).toHaveValue('ni hao');
    expect(onsend).not.toHaveBeenCalled();
  });

  test('empty or blank text is never sent, and Send stays disabled', async () => {
    const { screen, box, onsend } = await setup();
    const send = screen.getByRole('button', { name: 'Send' });
    await expect.element(send).toBeDisabled();
    await box.fill('   \n  ');
    await expect.element(send).toBeDisabled();
    await box.click();
    await userEvent.keyboard('{Enter}');
    expect(onsend).not.toHaveBeenCalled();
  });

  test('Send is disabled without a model and the placeholder says to choose one', async () => {
    const { screen, box } = await setup({ hasModel: false });
    await box.fill('hello');
    await expect.element(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await expect.element(box).toHaveAttribute('placeholder', 'Choose a model to start chatting');
  });

  test('the Send button sends like Enter does', async () => {
    const { screen, box, onsend } = await setup();
    await box.fill('by click');
    await screen.getByRole('button', { name: 'Send' }).click();
    expect(onsend).toHaveBeenCalledExactlyOnceWith('by click');
  });

  test('text that was not sent comes back into the box', async () => {
    const { box, onsend } = await setup({ sends: false });
    await box.fill('keep me');
    await userEvent.keyboard('{Enter}');
    expect(onsend).toHaveBeenCalledOnce();
    await expect.element(box).toHaveValue('keep me');
  });

  test('while busy, Stop replaces Send; Stop and Escape stop, Enter does not send', async () => {
    const { screen, box, onsend, onstop } = await setup({ busy: true });
    await expect.element(screen.getByRole('button', { name: 'Send' })).not.toBeInTheDocument();
    await screen.getByRole('button', { name: 'Stop' }).click();
    expect(onstop).toHaveBeenCalledOnce();

    await box.fill('next question');
    await userEvent.keyboard('{Enter}');
    expect(onsend).not.toHaveBeenCalled();
    await userEvent.keyboard('{Escape}');
    expect(onstop).toHaveBeenCalledTimes(2);
  });
});
