/** Runs `act` and returns the error it must reject with (failing the test if it resolves). */
export async function failureOf(act: () => Promise<unknown>): Promise<Error> {
  try {
    await act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Runs `act` and returns the error it must throw (failing the test if it returns). */
export function errorOf(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, got none');
}
