import { test, expect } from './fixtures/test';

// SwiftShader's software adapter: WebGPU is there, but as a fallback without shader-f16.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--no-first-run']
  }
});

test('the device panel reports a fallback adapter without shader-f16 and hides f16 models', async ({
  page
}) => {
  await page.goto('/models');
  const panel = page.getByTestId('device-panel');
  await expect(panel.getByTestId('device-webgpu')).toContainText(/fallback/i);
  await expect(panel.getByTestId('device-shader-f16')).toContainText(/no/i);
  const mlc = page.locator('[data-testid="model-row"][data-format="mlc"]');
  await expect(mlc.first()).toBeAttached();
  const ids = await mlc.evaluateAll((rows) =>
    rows.map((r) => r.getAttribute('data-model-id') ?? '')
  );
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.filter((id) => /f16/.test(id))).toEqual([]);
  expect(ids.some((id) => /q4f32/.test(id))).toBe(true);
});
