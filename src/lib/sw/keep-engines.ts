/**
 * The page's side of engine caching. The service worker precaches only the app shell, so
 * a device that holds model weights also needs the engine that runs them before the
 * network goes away — even if it never ran a model online (weights downloaded, then the
 * laptop leaves the building). Once a ready local model is seen, the page asks the
 * worker to keep the engine files; the worker fetches only those it lacks.
 */

/** The message the service worker answers by caching every engine file it lacks. */
export const KEEP_ENGINES = 'hearth:keep-engines';

let asked = false;

export function keepEnginesOffline(): void {
  if (asked || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  asked = true;
  void navigator.serviceWorker.ready
    .then((registration) => registration.active?.postMessage({ type: KEEP_ENGINES }))
    .catch(() => {
      // No worker (e.g. a private window that refuses it): nothing can be kept offline.
      asked = false;
    });
}
