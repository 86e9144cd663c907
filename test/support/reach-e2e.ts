import type { LocalExecution } from '../../local/local-watcher';
import type { LocalPipeline } from '../../local/pipeline';
import { resourcesOfType, type CfnTemplate } from '../../local/template';

/** The event rules of a synthesized template (not the schedules): pattern, bus, and target ARNs (as the template writes them). */
export function rulesOf(template: CfnTemplate) {
  return resourcesOfType(template, 'AWS::Events::Rule')
    .filter(([, rule]) => rule.Properties?.EventPattern !== undefined)
    .map(([, rule]) => ({
      pattern: rule.Properties!.EventPattern,
      bus: rule.Properties!.EventBusName,
      targets: JSON.stringify(rule.Properties!.Targets),
    }));
}

export async function watched(pipeline: LocalPipeline, invalidationId: string): Promise<LocalExecution> {
  await pipeline.idle();
  return [...pipeline.watcher.executions.values()].find((execution) => execution.name.includes(invalidationId))!;
}
