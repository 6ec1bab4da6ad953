import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import type { DeviceProbe } from '$lib/device/types';
import type { DownloadProgress } from '$lib/downloads/progress';
import type { CatalogModel, ModelState } from '$lib/models/types';
import type { ModelSourceSetting } from '#protocol/portal/model-source';
import ModelRow from './ModelRow.svelte';

const MIB = 1024 ** 2;

const gguf: CatalogModel = {
  id: 'gguf:tiny',
  name: 'Tiny Chat',
  format: 'gguf',
  quantization: 'Q4_K_M',
  sizeBytes: 400 * MIB,
  memoryBytes: 600 * MIB,
  source: { kind: 'url', url: 'https://mirror.invalid/tiny.gguf' },
  builtin: true
};

const roomyDevice: DeviceProbe = {
  webgpu: { available: false, reason: 'no adapter' },
  deviceMemoryGiB: 8,
  cores: 4,
  crossOriginIsolated: true,
  storage: { quota: 20 * 1024 * MIB, usage: 0, persisted: true },
  wasmMemory64: true,
  wasmSimd: true
};

function stateOf(patch: Partial<ModelState>): ModelState {
  return {
    id: gguf.id,
    status: 'none',
    bytesStored: 0,
    totalBytes: gguf.sizeBytes,
    updatedAt: 0,
    ...patch
  };
}

let tbody: HTMLTableSectionElement;

// A row only means something inside a table, the way ModelTable renders it.
beforeEach(() => {
  const table = document.createElement('table');
  tbody = table.createTBody();
  document.body.append(table);
});

afterEach(() => {
  tbody.closest('table')?.remove();
});

async function setup(
  props: Partial<{
    model: CatalogModel;
    state: ModelState;
    probe: DeviceProbe | null;
    progress: DownloadProgress;
    running: boolean;
    engineLoading: { text: string; fraction: number | null };
    source: ModelSourceSetting;
  }> = {}
) {
  const callbacks = { onDownload: vi.fn(), onCancel: vi.fn(), onRemove: vi.fn() };
  const screen = await render(ModelRow, {
    target: tbody,
    props: {
      model: gguf,
      state: undefined,
      probe: roomyDevice,
      progress: undefined,
      running: false,
      engineLoading: null,
      ...props,
      ...callbacks
    }
  });
  const row = screen.getByRole('row');
  const button = (name: string) => row.getByRole('button', { name, exact: true });
  /** Every action the row offers, by its label. */
  const actions = () =>
    row
      .getByRole('button')
      .elements()
      .map((b) => b.textContent?.trim());
  return { screen, row, button, actions, ...callbacks };
}

describe('ModelRow states', () => {
  test('not downloaded: offers Download, which starts the download', async () => {
    const { row, button, actions, onDownload } = await setup();
    await expect.element(row).toHaveAttribute('data-status', 'none');
    await expect.element(row.getByText('not downloaded')).toBeVisible();
    await expect.element(row.getByTestId('model-fit')).toHaveTextContent('fits');
    // A built-in model with nothing stored has nothing to delete.
    expect(actions()).toEqual(['Download']);
    await button('Download').click();
    expect(onDownload).toHaveBeenCalledOnce();
  });

  test('downloading: shows the progress and offers only Cancel', async () => {
    const { row, button, actions, onCancel } = await setup({
      state: stateOf({ status: 'partial', bytesStored: 100 * MIB }),
      running: true,
      progress: { bytes: 100 * MIB, total: 400 * MIB, speed: 10 * MIB, eta: 30 }
    });
    const bar = row.getByTestId('model-progress');
    await expect.element(bar).toHaveTextContent('100 MiB of 400 MiB · 10.0 MiB/s · 30 s left');
    await expect.element(bar.getByRole('progressbar')).toHaveAttribute('value', '0.25');
    expect(actions()).toEqual(['Cancel', 'Delete']);
    await button('Cancel').click();
    expect(onCancel).toHaveBeenCalledOnce();
  });

  test('a download that has not reported yet says it is starting', async () => {
    const { row } = await setup({ running: true });
    await expect.element(row.getByTestId('model-progress')).toHaveTextContent('starting…');
    await expect.element(row.getByRole('button', { name: 'Download' })).not.toBeInTheDocument();
  });

  test('verifying: offers Verify', async () => {
    const { row, button, onDownload } = await setup({
      state: stateOf({ status: 'verifying', bytesStored: gguf.sizeBytes })
    });
    await expect.element(row.getByText('verifying', { exact: true })).toBeVisible();
    await button('Verify').click();
    expect(onDownload).toHaveBeenCalledOnce();
  });

  test('ready: no download action; Delete removes the stored weights', async () => {
    const { row, button, actions, onRemove } = await setup({
      state: stateOf({ status: 'ready', bytesStored: gguf.sizeBytes })
    });
    await expect.element(row.getByText('ready', { exact: true })).toBeVisible();
    expect(actions()).toEqual(['Delete']);
    await button('Delete').click();
    expect(onRemove).toHaveBeenCalledOnce();
  });

  test('a model the user added can be removed from the list even before download', async () => {
    const { actions } = await setup({ model: { ...gguf, id: 'gguf:mine', builtin: false } });
    expect(actions()).toEqual(['Download', 'Remove']);
  });

  test('failed with nothing stored: shows the error and offers Retry', async () => {
    const { row, button, onDownload } = await setup({
      state: stateOf({
        status: 'error',
        error: 'offline',
        errorKey: 'offline',
        errorParams: { host: 'mirror.invalid' }
      })
    });
    await expect.element(row.getByText('error', { exact: true })).toBeVisible();
    // The translated message names the button this row shows.
    await expect
      .element(row.getByRole('alert'))
      .toHaveTextContent(
        'You are offline, so mirror.invalid cannot be reached. Connect to the network and press Retry.'
      );
    await button('Retry').click();
    expect(onDownload).toHaveBeenCalledOnce();
  });

  test('failed part-way: offers Resume, and a stopped download with no bytes is not partial', async () => {
    const { screen, row, button } = await setup({
      state: stateOf({ status: 'error', error: 'connection reset', bytesStored: 50 * MIB })
    });
    await expect.element(row.getByRole('alert')).toHaveTextContent('connection reset');
    await expect.element(button('Resume')).toBeEnabled();

    await screen.rerender({ state: stateOf({ status: 'partial', bytesStored: 0 }) });
    await expect.element(row).toHaveAttribute('data-status', 'none');
    await expect.element(button('Download')).toBeVisible();
  });

  test('does not fit this device: says why, and Download is disabled', async () => {
    const { row, button } = await setup({
      probe: { ...roomyDevice, wasmMemory64: false, wasmSimd: false }
    });
    await expect.element(row.getByTestId('model-fit')).toHaveTextContent('does not fit');
    await expect.element(row.getByText(/lacks both WebAssembly SIMD and memory64/)).toBeVisible();
    await expect.element(button('Download')).toBeDisabled();
  });

  test('an MLC model loading in the engine shows web-llm’s progress and Cancel', async () => {
    const { row, actions } = await setup({
      model: {
        ...gguf,
        id: 'Tiny-q4f16_1-MLC',
        format: 'mlc',
        source: { kind: 'mlc-prebuilt' }
      },
      engineLoading: { text: 'Fetching param cache[3/10]', fraction: 0.3 }
    });
    await expect.element(row.getByText('loading in engine')).toBeVisible();
    await expect
      .element(row.getByTestId('model-progress'))
      .toHaveTextContent('Fetching param cache[3/10]');
    expect(actions()).toEqual(['Cancel']);
  });
});

describe('where a download comes from', () => {
  const hub: CatalogModel = {
    ...gguf,
    source: {
      kind: 'url',
      url: 'https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf'
    }
  };

  test('names the host the chosen source will send it from, until it is here', async () => {
    const { row } = await setup({
      model: hub,
      source: { kind: 'lan', url: 'http://fileserver.lan/models' }
    });
    const origin = row.getByTestId('model-origin');
    await expect.element(origin).toHaveTextContent('from fileserver.lan');
    await expect.element(origin).toHaveAttribute('data-missing', 'false');
  });

  test('says when the chosen source does not have the model, and where it comes from instead', async () => {
    const { row } = await setup({ model: hub, source: { kind: 'modelscope' } });
    await expect
      .element(row.getByTestId('model-origin'))
      .toHaveTextContent('Not on ModelScope; from huggingface.co');
  });

  test('is not shown once the weights are stored', async () => {
    const { row } = await setup({
      model: hub,
      state: stateOf({ status: 'ready', bytesStored: gguf.sizeBytes })
    });
    await expect.element(row.getByTestId('model-origin')).not.toBeInTheDocument();
  });
});
