import { describe, expect, test, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import type { ModelSourceSetting } from '#protocol/portal/model-source';
import ModelSourceForm from './ModelSourceForm.svelte';

async function setup(value: ModelSourceSetting | null = null) {
  const onsave = vi.fn(async (_setting: ModelSourceSetting | null) => {});
  const screen = await render(ModelSourceForm, {
    value,
    inherit: {
      key: 'sources.portalOption',
      setting: { kind: 'hf-mirror', url: 'https://hf-mirror.com' }
    },
    onsave
  });
  const kind = screen.getByTestId('model-source-kind');
  const url = () => screen.getByTestId('model-source-url');
  const save = screen.getByRole('button', { name: 'Save' });
  return { screen, kind, url, save, onsave };
}

describe('ModelSourceForm', () => {
  test('names the portal’s default as the first choice, and saves it as no choice', async () => {
    const { screen, kind, save, onsave } = await setup();
    await expect.element(kind).toHaveValue('inherit');
    await expect
      .element(screen.getByRole('option', { name: /This server’s default/ }))
      .toHaveTextContent('the Hugging Face mirror (https://hf-mirror.com)');
    await save.click();
    expect(onsave).toHaveBeenCalledExactlyOnceWith(null);
    await expect.element(screen.getByTestId('model-source-saved')).toBeVisible();
  });

  test('refuses a script URL and one with credentials before saving anything', async () => {
    const { screen, kind, url, save, onsave } = await setup();
    await kind.selectOptions('lan');
    await url().fill('javascript:alert(1)');
    await save.click();
    const error = screen.getByTestId('model-source-error');
    await expect.element(error).toHaveTextContent('Only http:// and https:// URLs can be used.');
    await expect.element(url()).toHaveAttribute('aria-invalid', 'true');
    await url().fill('http://me:secret@fileserver.lan/models');
    await save.click();
    await expect.element(error).toHaveTextContent(/user name and password/);
    await url().fill('');
    await save.click();
    await expect.element(error).toHaveTextContent('Enter the URL for this source.');
    expect(onsave).not.toHaveBeenCalled();
  });

  test('saves a LAN folder normalized, and ModelScope with or without a mirror', async () => {
    const { kind, url, save, onsave } = await setup();
    await kind.selectOptions('lan');
    await url().fill(' http://fileserver.lan/models/ ');
    await save.click();
    expect(onsave).toHaveBeenLastCalledWith({ kind: 'lan', url: 'http://fileserver.lan/models' });
    await kind.selectOptions('modelscope');
    await url().fill('');
    await save.click();
    expect(onsave).toHaveBeenLastCalledWith({ kind: 'modelscope' });
  });

  test('shows the stored choice', async () => {
    const { kind, url } = await setup({ kind: 'hf-mirror', url: 'http://nexus.corp/hf' });
    await expect.element(kind).toHaveValue('hf-mirror');
    await expect.element(url()).toHaveValue('http://nexus.corp/hf');
  });
});
