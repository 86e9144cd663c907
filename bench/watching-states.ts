import { StateNames } from '../lib/watcher';
import type { StateMachineDefinition } from '../local/template';

/**
 * The product watcher's watching part, which each comparison design replaces: the token watch,
 * its final check, the announcement of a live message (the designs have none) and "Watch over?".
 */
const WATCHING_STATES: ReadonlySet<string> = new Set([StateNames.watch, StateNames.finalCheck, StateNames.announce, StateNames.watchOver]);

/**
 * The synthesized watcher's other states (the rejected-event Choice, the outcome marks, the
 * delivery), kept as they are, with "Event readable?" leading to the design's first state
 * instead of the token watch.
 */
export function statesBesideWatching(definition: StateMachineDefinition, designStartAt: string): StateMachineDefinition['States'] {
  const kept = Object.fromEntries(Object.entries(definition.States).filter(([name]) => !WATCHING_STATES.has(name)));
  const readable = kept[StateNames.eventReadable];
  if ((readable as { Default?: string } | undefined)?.Default !== StateNames.watch)
    throw new Error(`Expected "${StateNames.eventReadable}" to lead to "${StateNames.watch}"`);
  return { ...kept, [StateNames.eventReadable]: { ...readable!, Default: designStartAt } as typeof readable & object };
}
