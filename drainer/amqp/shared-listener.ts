/**
 * One real listener per (emitter, event), fanned out to every delivery that cares. Many deliveries
 * in flight on one connection, link or abort signal must not each add a listener to it (Node warns
 * past ten, and every event would walk them all).
 */
import type { EventEmitter } from 'node:events';

type Target = EventEmitter | EventTarget;

interface Fan {
  callbacks: Set<() => void>;
  fire: () => void;
}

const fans = new WeakMap<Target, Map<string, Fan>>();

/** Calls `f` on every `event` of `target` until the returned function is called. */
export function sharedListener(target: Target, event: string, f: () => void): () => void {
  let byEvent = fans.get(target);
  if (!byEvent) fans.set(target, (byEvent = new Map()));
  let fan = byEvent.get(event);
  if (!fan) {
    const callbacks = new Set<() => void>();
    fan = { callbacks, fire: () => [...callbacks].forEach((c) => c()) };
    attach(target, event, fan.fire);
    byEvent.set(event, fan);
  }
  fan.callbacks.add(f);
  const mine = fan;
  const events = byEvent;
  return () => {
    mine.callbacks.delete(f);
    if (mine.callbacks.size === 0 && events.get(event) === mine) {
      detach(target, event, mine.fire);
      events.delete(event);
    }
  };
}

function attach(t: Target, event: string, f: () => void): void {
  if ('on' in t) t.on(event, f);
  else t.addEventListener(event, f);
}

function detach(t: Target, event: string, f: () => void): void {
  if ('off' in t) t.off(event, f);
  else t.removeEventListener(event, f);
}
