import { test, expect } from './fixtures/test';

// The default launch has no WebGPU adapter: a real "no GPU" device.
test('without WebGPU the WASM engine is chosen and the reason is shown', async ({ page }) => {
  await page.goto('/models');
  await expect(page.getByTestId('device-webgpu')).toContainText(/unavailable|not available/i);
  await expect(page.getByTestId('engine-choice')).toContainText('WASM');
  await expect(page.getByTestId('engine-reason')).toContainText(/WebGPU/);
});
