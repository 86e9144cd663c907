import { KMSThrottlingException, NotFoundException } from '@aws-sdk/client-sns';
import { describeAwsFault, faultLabel } from '../../../lambda/shared/aws-faults';

const awsError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`Emulated ${name}`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

describe('describeAwsFault', () => {
  it.each<[string, unknown]>([
    // What smithy's classifiers say.
    ['a name the SDK lists as throttling (400)', awsError('TooManyRequestsException', 400)],
    ['a 429 of any name', awsError('SomethingNew', 429)],
    ['a 503 of any name', awsError('SomethingNew', 503)],
    ['a 599 of any name', awsError('SomethingNew', 599)],
    ['an error the SDK marks retryable', awsError('SomethingNew', 400, { $retryable: {} })],
    ['RequestTimeout with a 400', awsError('RequestTimeout', 400)],
    // What this notifier adds.
    [
      'KMS throttling behind SNS (400, a name smithy does not list)',
      new KMSThrottlingException({ message: 'rate', $metadata: { httpStatusCode: 400 } }),
    ],
    ['an answer cut short (an error around a 200)', awsError('Error', 200)],
    [
      'an abort at our own deadline (AbortError, no answer)',
      Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
    ],
    ['an errno smithy does not list', Object.assign(new Error('read EHOSTDOWN'), { code: 'EHOSTDOWN' })],
    ['a lost connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'a socket error wrapped by Powertools (GetParameterError)',
      Object.assign(new Error('socket hang up', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }), {
        name: 'GetParameterError',
      }),
    ],
  ])('calls %s transient', (_what, error) => {
    expect(describeAwsFault(error).transient).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a refusal (404)', new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } })],
    ['access denied (403)', awsError('AccessDenied', 403)],
    ['a 400 of an unknown name', awsError('ValidationError', 400)],
    [
      'a refusal wrapped by Powertools',
      Object.assign(new Error('gone', { cause: awsError('ResourceNotFoundException', 400) }), { name: 'GetParameterError' }),
    ],
    ['a bug of ours (a TypeError)', new TypeError("Cannot read properties of undefined (reading 'Items')")],
  ])('calls %s permanent', (_what, error) => {
    expect(describeAwsFault(error).transient).toBe(false);
  });

  it('names the error the wrapper hides, its status, and its message on one line', () => {
    const wrapped = Object.assign(new Error('outer', { cause: awsError('ThrottlingException', 400, { message: 'Rate\nexceeded' }) }), {
      name: 'GetParameterError',
    });

    const fault = describeAwsFault(wrapped);

    expect(faultLabel(fault)).toBe('ThrottlingException 400');
    expect(fault.message).not.toContain('\n');
    expect(faultLabel(describeAwsFault(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })))).toBe('ECONNRESET, no answer');
  });
});
