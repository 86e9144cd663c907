/**
 * One way to check: the older check loops (`retry`, `wait-loop`, the Express loop) left the
 * product for bench/. Whatever the schedule, the watcher hands its watch to the account's
 * checker, and a schedule still naming a check style is refused rather than silently read otherwise.
 */
import type { PollSchedule } from '../../lambda/shared/schedule';
import { StateNames } from '../../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { allStates, stateMachinesOfType, watcherDefinition } from '../../local/template';

const synth = (schedule: Partial<PollSchedule>) => synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false, schedule);

describe('the watcher', () => {
  it('checks only through the checker, for a schedule the older styles used (5 s growing by 1.5x to 15 s)', () => {
    // Act
    const template = synth({ firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15 });

    // Assert
    const states = allStates(watcherDefinition(template).definition);
    expect(states[StateNames.watch]).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' });
    expect(Object.values(states).filter((state) => state.Type === 'Wait')).toEqual([]);
    expect(stateMachinesOfType(template, 'EXPRESS')).toEqual([]);
    const checker = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(r.Properties).includes('POLL_SCHEDULE') &&
        JSON.stringify(r.Metadata).includes('"checker"'),
    )!;
    expect(JSON.parse((checker.Properties!.Environment as { Variables: { POLL_SCHEDULE: string } }).Variables.POLL_SCHEDULE)).toMatchObject(
      {
        firstIntervalSeconds: 5,
        backoffRate: 1.5,
        maxIntervalSeconds: 15,
      },
    );
  });

  it.each(['retry', 'wait-loop'])('refuses a schedule with checkStyle "%s", saying to remove it', (checkStyle) => {
    // Act
    const synthesize = () => synth({ checkStyle } as Partial<PollSchedule>);

    // Assert
    expect(synthesize).toThrow(/checkStyle was removed[^\n]*remove it/);
  });
});
