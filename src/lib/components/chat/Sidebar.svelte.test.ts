import { describe, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ConversationList } from '$lib/chat/conversation-list.svelte';
import type { Conversation } from '$lib/store/db';
import Sidebar from './Sidebar.svelte';

function conversation(id: string, title: string): Conversation {
  return { id, title, createdAt: 0, updatedAt: 0, modelId: null, systemPrompt: '', options: {} };
}

/** The list's view of the store, as the sidebar reads it: loaded items, no search. */
function listOf(...items: Conversation[]): ConversationList {
  return {
    items,
    loaded: true,
    query: '',
    tag: null,
    tags: [],
    search: vi.fn(),
    refresh: vi.fn(),
    filterByTag: vi.fn()
  } as unknown as ConversationList;
}

async function setup(activeId: string, pinned: string[] = []) {
  const onopen = vi.fn();
  const onpin = vi.fn();
  const onrename = vi.fn(async () => {});
  const ondelete = vi.fn(async () => {});
  const screen = await render(Sidebar, {
    list: listOf(
      ...[conversation('a', 'Alpha'), conversation('b', 'Beta'), conversation('c', 'Gamma')].map(
        (c) => ({ ...c, pinned: pinned.includes(c.id) })
      )
    ),
    activeId,
    onnew: vi.fn(),
    onopen,
    onpin,
    onrename,
    ondelete
  });
  const row = (name: string) => screen.getByRole('button', { name, exact: true });
  return { screen, row, onopen, onpin, onrename, ondelete };
}

describe('Sidebar conversation list', () => {
  test('is one Tab stop, landing on the open conversation', async () => {
    const { screen, row } = await setup('b');
    await screen.getByRole('searchbox').click();
    await userEvent.tab();
    await expect.element(row('Beta')).toHaveFocus();
    await userEvent.tab();
    // Past the list: rename and delete buttons are not Tab stops of their own.
    await expect.element(row('Alpha')).not.toHaveFocus();
    expect(document.activeElement?.closest('li')).toBeNull();
  });

  test('arrow keys, Home and End move between rows, and Enter opens one', async () => {
    const { row, onopen } = await setup('a');
    await row('Alpha').click();
    onopen.mockClear();
    await userEvent.keyboard('{ArrowDown}');
    await expect.element(row('Beta')).toHaveFocus();
    await userEvent.keyboard('{End}');
    await expect.element(row('Gamma')).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}');
    await expect.element(row('Gamma')).toHaveFocus();
    await userEvent.keyboard('{Home}');
    await expect.element(row('Alpha')).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(onopen).toHaveBeenCalledExactlyOnceWith('b');
  });

  test('the Tab stop follows the row last moved to', async () => {
    const { screen, row } = await setup('a');
    await row('Alpha').click();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    await screen.getByRole('searchbox').click();
    await userEvent.tab();
    await expect.element(row('Gamma')).toHaveFocus();
  });

  test('F2 renames the focused row and Delete asks before deleting it', async () => {
    const { screen, row, onrename, ondelete } = await setup('a');
    await row('Beta').click();
    await userEvent.keyboard('{F2}');
    const input = screen.getByRole('textbox', { name: 'New title' });
    await expect.element(input).toHaveFocus();
    await userEvent.keyboard('{Control>}a{/Control}Bravo{Enter}');
    expect(onrename).toHaveBeenCalledExactlyOnceWith('b', 'Bravo');

    const confirm = vi
      .spyOn(window, 'confirm')
      .mockReturnValueOnce(false)
      .mockReturnValueOnce(true);
    await row('Gamma').click();
    await userEvent.keyboard('{Delete}');
    expect(ondelete).not.toHaveBeenCalled();
    await userEvent.keyboard('{Delete}');
    expect(ondelete).toHaveBeenCalledExactlyOnceWith('c');
    expect(confirm).toHaveBeenCalledTimes(2);
  });

  test('P or the pin button pins a row and unpins a pinned one, which says it is pinned', async () => {
    const { screen, row, onpin } = await setup('a', ['c']);
    await row('Alpha').click();
    await userEvent.keyboard('p');
    expect(onpin).toHaveBeenLastCalledWith('a', true);
    const gamma = screen.getByRole('button', { name: 'Pinned Gamma' });
    await expect.element(gamma).toBeVisible();
    // The row's buttons show on hover (or focus), as a mouse user meets them.
    await gamma.hover();
    await screen.getByRole('button', { name: 'Unpin' }).click();
    expect(onpin).toHaveBeenLastCalledWith('c', false);
    expect(onpin).toHaveBeenCalledTimes(2);
  });

  test('tags in use are filters: one pressed at a time, pressed again for all', async () => {
    const list = listOf({ ...conversation('a', 'Alpha'), tags: ['work'] });
    Object.assign(list, { tags: ['work', '课程'], tag: 'work' });
    const screen = await render(Sidebar, {
      list,
      activeId: 'a',
      onnew: vi.fn(),
      onopen: vi.fn(),
      onpin: vi.fn(),
      onrename: vi.fn(async () => {}),
      ondelete: vi.fn(async () => {})
    });
    const group = screen.getByRole('group', { name: 'Show conversations tagged' });
    await expect
      .element(group.getByRole('button', { name: '#work' }))
      .toHaveAttribute('aria-pressed', 'true');
    await expect
      .element(group.getByRole('button', { name: 'All' }))
      .toHaveAttribute('aria-pressed', 'false');
    await group.getByRole('button', { name: '#课程' }).click();
    expect(list.filterByTag).toHaveBeenLastCalledWith('课程');
    await group.getByRole('button', { name: '#work' }).click();
    expect(list.filterByTag).toHaveBeenLastCalledWith(null);
    // The row shows its tags.
    await expect.element(screen.getByRole('button', { name: /^Alpha\s*#work$/ })).toBeVisible();
  });
});
