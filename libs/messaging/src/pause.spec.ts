import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { pause } from './pause.js';

describe('pause between retries', () => {
  it('leaves no listener on the signal once the time is up, however often it waits', async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < 50; i++) await pause(0, signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('ends at once when the signal aborts', async () => {
    const controller = new AbortController();
    const waited = pause(60_000, controller.signal);
    controller.abort();
    await expect(waited).resolves.toBeUndefined();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
