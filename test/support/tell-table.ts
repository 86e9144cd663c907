/**
 * The tell logic's test bench: the checker's table in process (dynalite), emptied before each
 * test, a clock the test moves and a fake Step Functions that keeps every task-token answer.
 * For the unit tests of lambda/shared/tell-store.ts and lambda/notify/tell.ts.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TellDeps } from '../../lambda/notify/tell';
import { TellStore } from '../../lambda/shared/tell-store';
import { WATCH_TABLE, startWatchTable, type WatchTable } from './watch-table';

export const T0 = Date.parse('2026-05-01T12:00:00.000Z');

/** Starts the table for the file and empties it before each test; `store()` is the store on it. */
export function useTellTable(): { store: () => TellStore } {
  let table: WatchTable;
  let store: TellStore;
  beforeAll(async () => {
    table = await startWatchTable();
    store = new TellStore(WATCH_TABLE, table.client);
  });
  afterAll(() => table.stop());
  beforeEach(() => table.empty());
  return { store: () => store };
}

export interface TaskAnswer {
  readonly token: string;
  readonly output?: unknown;
  readonly error?: string;
}

/** The tell logic's dependencies on `store`, at T0 until `at(ms)` moves the clock; every answer kept. */
export function tellHarness(store: TellStore) {
  let nowMs = T0;
  const answers: TaskAnswer[] = [];
  const sfn = {
    send: async (command: { input: { taskToken: string; output?: string; error?: string } }) => {
      const { taskToken, output, error } = command.input;
      answers.push({ token: taskToken, ...(output ? { output: JSON.parse(output) } : {}), ...(error ? { error } : {}) });
      return {};
    },
  } as unknown as SFNClient;
  const deps: TellDeps = { store, sfn, now: () => nowMs };
  return { deps, answers, at: (ms: number) => (nowMs = T0 + ms), now: () => nowMs };
}
