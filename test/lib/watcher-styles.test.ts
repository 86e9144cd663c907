/**
 * The Standard check loops kept for comparison (`npm run bench`): `retry` and `wait-loop`
 * synthesize the job poller inside the watcher, with no Express state machine.
 */
import { ErrorNames } from '../../lambda/shared/errors';
import { RETRY_POLL_SCHEDULE, type PollSchedule } from '../../lambda/shared/schedule';
import { StateNames } from '../../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { allStates, checkLoopDefinition, watcherDefinition } from '../../local/template';

const synth = (schedule: PollSchedule) => synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false, schedule);

describe.each<[string, PollSchedule]>([
  ['retry', RETRY_POLL_SCHEDULE],
  ['wait-loop', { ...RETRY_POLL_SCHEDULE, checkStyle: 'wait-loop' }],
])('checkStyle %s', (_style, schedule) => {
  const template = synth(schedule);
  const states = allStates(watcherDefinition(template).definition);

  it('has no Express check loop: the watcher checks by itself, Check -> Completed? -> Wait -> Check', () => {
    expect(checkLoopDefinition(template)).toBeUndefined();
    expect(states[StateNames.watch]).toBeUndefined();
    expect(states[StateNames.check]).toMatchObject({ Type: 'Task', Next: StateNames.completed, Parameters: { 'pace.$': '$.status.pace' } });
    expect(states[StateNames.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.status.nextCheckInSeconds', Next: StateNames.check });
  });

  it('repeats in-progress checks with the Task Retry on the schedule, and catches the rest as "could not track"', () => {
    expect(states[StateNames.check]!.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: [ErrorNames.InvalidationInProgress],
          IntervalSeconds: schedule.firstIntervalSeconds,
          BackoffRate: schedule.backoffRate,
          MaxDelaySeconds: schedule.maxIntervalSeconds,
        }),
      ]),
    );
    expect(states[StateNames.check]!.Catch).toEqual(
      expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Mark could not track' })]),
    );
  });
});
