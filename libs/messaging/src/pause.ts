/**
 * A wait between retries that ends early when the signal aborts. It removes its abort listener when
 * the time is up: a loop that retries for hours on one signal would otherwise pile up listeners
 * (MaxListenersExceededWarning) and keep every one of them alive.
 */
export const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
