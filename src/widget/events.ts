/** The small event hub behind HearthWidget.on(). */
import type { HearthWidgetEvents } from './hearth-widget';

type Listener<E extends keyof HearthWidgetEvents> = (detail: HearthWidgetEvents[E]) => void;

export class WidgetEvents {
  private readonly listeners = new Map<keyof HearthWidgetEvents, Set<Listener<never>>>();

  on<E extends keyof HearthWidgetEvents>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<E extends keyof HearthWidgetEvents>(event: E, detail: HearthWidgetEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(detail);
      } catch (error) {
        // A page's listener must not break the widget; still show the page its bug.
        console.error(error);
      }
    }
  }
}
