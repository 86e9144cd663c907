/**
 * Probe: configuration refused, but with a message that says something false or nothing to do.
 */
import { App, Stack } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { errorOf } from '../support/failure-of';

const stack = () =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S', { env: { account: '123456789012', region: 'us-east-1' } });

it('a schedule value of the wrong type is named as such, by its prop key (not "between 1 minute and 7 days (got 600 s)")', () => {
  const error = errorOf(() => new InvalidationNotifier(stack(), 'N', { schedule: { maxWaitSeconds: '600' } } as never));
  expect(error.message).toContain('maxWaitSeconds');
  expect(error.message).not.toContain('maxWaitMinutes');
  expect(error.message).not.toMatch(/between 1 minute and 7 days \(got 600 s\)/);
});

it('maxWaitMinutes 1.0001 is not called "not between 1 minute and 7 days"', () => {
  const error = errorOf(() => loadConfig({ maxWaitMinutes: 1.0001 }));
  expect(error.message).not.toMatch(/between 1 minute and 7 days \(got 60\.006 s\)/);
});

it('a webhook destination without secretName says secretName is missing (not "must be an object")', () => {
  const error = errorOf(() => loadConfig({ destinations: { chat: { type: 'slack' } } }));
  expect(error.message).not.toContain('destinations.chat.secretName: must be an object');
});

it('a route destination that is not a string says what to write (not valibot\'s "Invalid type: Expected string")', () => {
  const error = errorOf(() =>
    loadConfig({
      destinations: { a: { type: 'sns' } },
      routes: [{ match: { tags: { t: 'x' } }, destinations: [null] }],
      defaultDestinations: ['a'],
    }),
  );
  expect(error.message).not.toContain('Invalid type: Expected string but received null');
});
