import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import type { SessionResponse } from '#protocol/portal/types';
import { portalSession } from '$lib/portal/session.svelte';
import SignInGate from './SignInGate.svelte';

const goto = vi.hoisted(() => vi.fn());
vi.mock('$app/navigation', () => ({ goto }));
vi.mock('$app/state', () => ({ page: { url: new URL('http://hearth.test/bench?runs=2') } }));

const content = createRawSnippet(() => ({ render: () => '<p data-testid="content">inside</p>' }));

/** The session check answers as a portal would (or, with null, as a static host does). */
async function session(answer: Partial<SessionResponse> | null) {
  vi.spyOn(globalThis, 'fetch').mockResolvedValue(
    answer === null
      ? new Response('not found', { status: 404 })
      : Response.json({
          authEnabled: true,
          setupRequired: false,
          setupTokenRequired: false,
          user: null,
          csrfToken: null,
          ...answer
        })
  );
  await portalSession.check(true);
}

afterEach(() => {
  vi.restoreAllMocks();
  goto.mockClear();
});

describe('SignInGate', () => {
  test('sends a signed-out visitor to sign in, with the page to come back to', async () => {
    await session({});
    const screen = await render(SignInGate, { children: content, standalone: true });
    await expect.element(screen.getByText('Sign in to continue.')).toBeVisible();
    expect(screen.container.querySelector('[data-testid="content"]')).toBeNull();
    expect(goto).toHaveBeenCalledWith('/login?next=%2Fbench%3Fruns%3D2', { replaceState: true });
  });

  test('shows the page to a signed-in user, and to everyone while sign-in is off', async () => {
    await session({
      user: {
        id: 2,
        username: 'zhang',
        displayName: '',
        role: 'user',
        disabled: false,
        createdAt: '2025-01-31T00:00:00.000Z'
      }
    });
    const signedIn = await render(SignInGate, { children: content });
    await expect.element(signedIn.getByTestId('content')).toBeVisible();
    signedIn.unmount();
    await session({ authEnabled: false });
    const open = await render(SignInGate, { children: content });
    await expect.element(open.getByTestId('content')).toBeVisible();
    expect(goto).not.toHaveBeenCalled();
  });

  test('without a portal, shows a standalone page and refuses the others', async () => {
    await session(null);
    const standalone = await render(SignInGate, { children: content, standalone: true });
    await expect.element(standalone.getByTestId('content')).toBeVisible();
    standalone.unmount();
    const portalOnly = await render(SignInGate, { children: content });
    await expect.element(portalOnly.getByRole('alert')).toBeVisible();
    expect(portalOnly.container.querySelector('[data-testid="content"]')).toBeNull();
  });
});
