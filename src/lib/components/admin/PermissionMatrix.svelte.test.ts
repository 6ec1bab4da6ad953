import { describe, expect, test, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import PermissionMatrix from './PermissionMatrix.svelte';
import { inheritedAccess } from './effective-access';
import {
  cellAt,
  cellKey,
  cellsOf,
  changedGrants,
  type Cell,
  type Cells,
  type Column,
  type Subject
} from './permission-draft';

const subjects: Subject[] = [
  { type: 'group', id: 1, name: 'nurses' },
  { type: 'user', id: 7, name: 'zhangwei', role: 'user' },
  { type: 'user', id: 9, name: 'root', role: 'admin' }
];
const columns: Column[] = [
  { pattern: 'qwen*', isModel: false },
  { pattern: 'llama3.2:1b', isModel: true }
];
const original = cellsOf([
  {
    subjectType: 'group',
    subjectId: 1,
    modelPattern: 'qwen*',
    canUse: true,
    canDownload: false
  }
]);

/**
 * Renders the matrix the way the permissions page drives it: each toggle replaces the
 * draft, and Save would send changedGrants(original, draft).
 */
async function setup(start: Cells = original, props: Record<string, unknown> = {}) {
  let draft: Cells = { ...start };
  const ontoggle = vi.fn((key: string, field: keyof Cell, value: boolean) => {
    draft = { ...draft, [key]: { ...cellAt(draft, key), [field]: value } };
    void screen.rerender({ draft });
  });
  const screen = await render(PermissionMatrix, {
    subjects,
    columns,
    draft,
    original,
    displayNames: { 7: '张伟', 9: 'root' },
    ontoggle,
    ...props
  });
  const cell = (subject: string, pattern: string) => {
    const found = screen.container.querySelector<HTMLElement>(
      `[data-testid="perm-cell"][data-subject="${subject}"][data-pattern="${pattern}"]`
    );
    if (!found) throw new Error(`no cell for ${subject} × ${pattern}`);
    return found;
  };
  return { screen, ontoggle, cell, draft: () => draft };
}

function checkbox(cell: HTMLElement, testId: 'perm-use' | 'perm-download'): HTMLInputElement {
  const box = cell.querySelector<HTMLInputElement>(`[data-testid="${testId}"]`);
  if (!box) throw new Error(`no ${testId} checkbox in this cell`);
  return box;
}

/** A real click, as the admin would make it. */
const toggle = (cell: HTMLElement, testId: 'perm-use' | 'perm-download') =>
  userEvent.click(checkbox(cell, testId));

describe('PermissionMatrix', () => {
  test('each cell shows the draft grant; admins get every model', async () => {
    const { screen, cell } = await setup();
    const nursesQwen = cell('group:nurses', 'qwen*');
    expect(checkbox(nursesQwen, 'perm-use').checked).toBe(true);
    expect(checkbox(nursesQwen, 'perm-download').checked).toBe(false);
    expect(checkbox(cell('user:zhangwei', 'qwen*'), 'perm-use').checked).toBe(false);
    expect(screen.container.querySelector('[data-subject="user:root"]')).toBeNull();
    await expect
      .element(screen.getByRole('cell', { name: 'All models (administrator)' }))
      .toHaveAttribute('colspan', '2');
  });

  test('headers mark pattern columns and show a user’s display name', async () => {
    const { screen } = await setup();
    await expect.element(screen.getByRole('columnheader', { name: 'qwen* pattern' })).toBeVisible();
    await expect
      .element(screen.getByRole('columnheader', { name: 'llama3.2:1b', exact: true }))
      .toBeVisible();
    await expect
      .element(screen.getByRole('rowheader', { name: /zhangwei/ }))
      .toHaveTextContent('张伟');
    // A display name equal to the login name is not repeated.
    await expect
      .element(screen.getByRole('rowheader', { name: /root/ }))
      .toHaveTextContent(/^user\s*root$/);
  });

  test('a toggle reports which cell and flag changed, and the cell is marked', async () => {
    const { ontoggle, cell } = await setup();
    const target = cell('user:zhangwei', 'llama3.2:1b');
    expect(target.classList.contains('changed')).toBe(false);

    await toggle(target, 'perm-download');
    expect(ontoggle).toHaveBeenCalledExactlyOnceWith(
      cellKey('user', 7, 'llama3.2:1b'),
      'canDownload',
      true
    );
    await expect.element(page.elementLocator(target)).toHaveClass('changed');
    expect(target.classList.contains('on')).toBe(true);
    expect(cell('group:nurses', 'qwen*').classList.contains('changed')).toBe(false);
  });

  test('Save would send exactly the toggled grants, including a removal', async () => {
    const { cell, draft } = await setup();
    await toggle(cell('user:zhangwei', 'qwen*'), 'perm-use');
    await toggle(cell('group:nurses', 'qwen*'), 'perm-use');

    await expect.poll(() => changedGrants(original, draft())).toHaveLength(2);
    expect(changedGrants(original, draft())).toEqual(
      expect.arrayContaining([
        {
          subjectType: 'user',
          subjectId: 7,
          modelPattern: 'qwen*',
          canUse: true,
          canDownload: false
        },
        // Both flags off: the server removes the grant.
        {
          subjectType: 'group',
          subjectId: 1,
          modelPattern: 'qwen*',
          canUse: false,
          canDownload: false
        }
      ])
    );
  });

  test('toggling a cell back clears its mark and leaves nothing to save', async () => {
    const { cell, draft } = await setup();
    const target = cell('group:nurses', 'llama3.2:1b');
    await toggle(target, 'perm-use');
    await expect.element(page.elementLocator(target)).toHaveClass('changed');
    await toggle(target, 'perm-use');
    await expect.element(page.elementLocator(target)).not.toHaveClass('changed');
    expect(changedGrants(original, draft())).toEqual([]);
  });

  test('discarding (the draft back to the original) restores every checkbox', async () => {
    const { screen, cell } = await setup();
    const target = cell('group:nurses', 'qwen*');
    await toggle(target, 'perm-use');
    await toggle(target, 'perm-download');
    await expect.poll(() => checkbox(target, 'perm-download').checked).toBe(true);

    await screen.rerender({ draft: { ...original } });
    expect(checkbox(target, 'perm-use').checked).toBe(true);
    expect(checkbox(target, 'perm-download').checked).toBe(false);
    expect(target.classList.contains('changed')).toBe(false);
  });

  describe('effective access', () => {
    // zhangwei is in nurses (use qwen*) and doctors (use "*"), and may download llama
    // himself: the way the permissions page computes it, from the draft.
    const withModels: Column[] = [...columns, { pattern: 'qwen2.5:0.5b', isModel: true }];
    const grants = cellsOf([
      {
        subjectType: 'group',
        subjectId: 1,
        modelPattern: 'qwen*',
        canUse: true,
        canDownload: false
      },
      { subjectType: 'group', subjectId: 2, modelPattern: '*', canUse: true, canDownload: false },
      {
        subjectType: 'user',
        subjectId: 7,
        modelPattern: 'llama3.2:1b',
        canUse: false,
        canDownload: true
      }
    ]);
    const inherited = inheritedAccess(
      grants,
      [{ id: 7, role: 'user', disabled: false, groupIds: [1, 2] }],
      { 1: 'nurses', 2: 'doctors' },
      withModels
    );
    const marker = (cell: HTMLElement, right: 'canUse' | 'canDownload') =>
      cell.querySelector<HTMLElement>(`[data-testid="perm-inherited"][data-right="${right}"]`);

    test('a right held only through groups or patterns is marked, not checked, with why', async () => {
      const { cell } = await setup(grants, { columns: withModels, inherited });
      const qwen = cell('user:zhangwei', 'qwen2.5:0.5b');
      expect(checkbox(qwen, 'perm-use').checked).toBe(false);
      expect(qwen.classList.contains('inherits')).toBe(true);
      expect(qwen.classList.contains('on')).toBe(false);
      const why = 'via group doctors, pattern *; via group nurses, pattern qwen*';
      const use = marker(qwen, 'canUse')!;
      expect(use.textContent).toMatch(/^✓\s*inherited/);
      expect(use.title).toBe(why);
      await expect
        .element(page.elementLocator(checkbox(qwen, 'perm-use')))
        .toHaveAccessibleDescription(`inherited: ${why}`);
      // Download is granted nowhere: no marker, no description.
      expect(marker(qwen, 'canDownload')).toBeNull();
      expect(checkbox(qwen, 'perm-download').getAttribute('aria-describedby')).toBeNull();
      // On the pattern column itself, only the group's grant on that pattern counts.
      expect(marker(cell('user:zhangwei', 'qwen*'), 'canUse')!.title).toBe('via group nurses');
    });

    test('an own grant shows as checked and its right is never marked inherited', async () => {
      const { cell } = await setup(grants, { columns: withModels, inherited });
      const llama = cell('user:zhangwei', 'llama3.2:1b');
      expect(checkbox(llama, 'perm-download').checked).toBe(true);
      expect(marker(llama, 'canDownload')).toBeNull();
      expect(llama.classList.contains('on')).toBe(true);
      expect(llama.classList.contains('inherits')).toBe(false);
      // Use comes from doctors' "*" only.
      expect(marker(llama, 'canUse')!.title).toBe('via group doctors, pattern *');
      // Group rows show their own grants only.
      const groupCell = cell('group:nurses', 'qwen2.5:0.5b');
      expect(groupCell.querySelector('[data-testid="perm-inherited"]')).toBeNull();
    });

    test('toggling an inherited cell edits the user’s own grant', async () => {
      const { ontoggle, cell } = await setup(grants, { columns: withModels, inherited });
      await toggle(cell('user:zhangwei', 'qwen2.5:0.5b'), 'perm-use');
      expect(ontoggle).toHaveBeenCalledExactlyOnceWith(
        cellKey('user', 7, 'qwen2.5:0.5b'),
        'canUse',
        true
      );
    });

    test('a disabled account is labelled, with the reason it has no access', async () => {
      const { screen } = await setup(original, { disabledUsers: new Set([7]) });
      const label = screen.getByRole('rowheader', { name: /zhangwei/ }).getByText('disabled');
      await expect.element(label).toBeVisible();
      await expect
        .element(label)
        .toHaveAttribute('title', 'A disabled account may use nothing, whatever it is granted.');
    });
  });
});
