/**
 * Probe: numeric context keys take whatever Number(String(value)) makes of them, so a list, a hex
 * literal or an exponent passes for a number without a word: `"maxWaitMinutes": [60]` in cdk.json
 * (a list) is 60; `-c maxWaitMinutes=0x10` is 16 minutes.
 */
import { ConfigError, loadConfig } from '../../lib/config';

it.each([[{ maxWaitMinutes: [60] }], [{ maxWaitMinutes: '0x10' }], [{ firstIntervalSeconds: [2], maxIntervalSeconds: 4 }]])(
  'refuses %j as not a number',
  (context) => {
    expect(() => loadConfig(context)).toThrow(ConfigError);
  },
);
