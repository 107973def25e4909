import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium, headless, for the wall tests (never a downloaded browser: see PACKAGES.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Asserts on live DOM by polling: the wall redraws elements from its event stream, so a value read once
 * may come from an element that is being replaced (CI once read '' as a tile's colour). Every read of a
 * page goes through this, not through `expect(await page…)`.
 */
export function settled<T>(read: () => T | Promise<T>, timeout = 5000) {
  return expect.poll(read, { timeout, interval: 50 });
}
