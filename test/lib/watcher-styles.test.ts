/**
 * One way to check: the older Standard check loops (`retry`, `wait-loop`) left the product for
 * bench/comparison-designs.ts. Whatever the schedule, the watcher runs the Express check loop,
 * and a schedule still naming a check style is refused rather than silently read otherwise.
 */
import type { PollSchedule } from '../../lambda/shared/schedule';
import { CheckLoopStateNames } from '../../lib/check-loop';
import { StateNames } from '../../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { allStates, checkLoopDefinition, watcherDefinition } from '../../local/template';

const synth = (schedule: Partial<PollSchedule>) => synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false, schedule);

describe('the watcher', () => {
  it('checks only in the Express loop, for a schedule the older styles used (5 s growing by 1.5x to 15 s)', () => {
    // Act
    const template = synth({ firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15 });

    // Assert
    const states = allStates(watcherDefinition(template).definition);
    const loopStates = allStates(checkLoopDefinition(template)!.definition);
    expect(states[StateNames.watch]).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2' });
    expect(Object.values(states).filter((state) => state.Type === 'Wait')).toEqual([]);
    expect(loopStates[CheckLoopStateNames.check]).toMatchObject({ Type: 'Task', ResultPath: '$.watch' });
  });

  it.each(['retry', 'wait-loop'])('refuses a schedule with checkStyle "%s", saying to remove it', (checkStyle) => {
    // Act
    const synthesize = () => synth({ checkStyle } as Partial<PollSchedule>);

    // Assert
    expect(synthesize).toThrow(/checkStyle was removed[^\n]*remove it/);
  });
});
