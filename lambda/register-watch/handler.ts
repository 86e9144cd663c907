import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { TickQueue } from '../shared/checker-clock';
import { EnvNames, requireEnv } from '../shared/env';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { parsePollSchedule } from '../shared/schedule';
import { checkedRequestOf, WatchStore } from '../shared/watch-store';
import { workLogKeys } from '../shared/watch-request';
import { TellStore } from '../shared/tell-store';
import { parseRuntimeDestinations } from '../shared/routing';
import { parseRegisterInput, registerWatch } from './register-watch';

const schedule = parsePollSchedule(requireEnv(EnvNames.pollSchedule));
const store = new WatchStore(requireEnv(EnvNames.watchTable));
const queue = new TickQueue(requireEnv(EnvNames.tickQueueUrl));
// The destinations' burst settings: the watch joins a burst of each that tells in bursts.
const telling = {
  store: new TellStore(requireEnv(EnvNames.watchTable)),
  destinations: parseRuntimeDestinations(requireEnv(EnvNames.destinations)),
};

/** Returns nothing: the watcher's task waits on its token, which the checker answers. */
export const handler = middy<unknown, void>(handlerOptions('Register watch'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const input = parseRegisterInput(event);
    const { watch, wokeChecker } = await registerWatch(input, schedule, store, queue, telling);
    logger.info('Watch registered', { ...workLogKeys(checkedRequestOf(watch)), targetId: watch.targetId, wokeChecker });
  });
