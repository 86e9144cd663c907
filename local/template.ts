/**
 * Reads a synthesized CloudFormation template the way AWS would run it: the watcher's
 * definition with its intrinsic functions resolved, and each function's handler folder and
 * environment. Resource ARNs become stable fake ones in account 123456789012.
 */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

function arnOf(template: CfnTemplate, logicalId: string): string {
  const type = template.Resources[logicalId]?.Type;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${logicalId}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${logicalId}`;
    default:
      return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
  }
}

/** What `Ref` returns, per resource type: the ARN unless CloudFormation documents otherwise. */
function refOf(template: CfnTemplate, logicalId: string): string {
  switch (template.Resources[logicalId]?.Type) {
    case 'AWS::SQS::Queue':
      return queueUrlOf(logicalId);
    // A table's Ref is its name; tables are named by logical id locally.
    case 'AWS::DynamoDB::Table':
      return logicalId;
    default:
      return arnOf(template, logicalId);
  }
}

/** `Fn::GetAtt`: the attributes CloudFormation documents for the types the notifier declares; any other reads as the ARN. */
function attributeOf(template: CfnTemplate, logicalId: string, attribute: string): string {
  const type = template.Resources[logicalId]?.Type;
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return queueUrlOf(logicalId);
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') return logicalId;
  if (type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn')
    throw new Error(`${logicalId}.StreamArn: the local runner emulates no DynamoDB streams.`);
  return arnOf(template, logicalId);
}

const queueUrlOf = (logicalId: string): string => `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${logicalId}`;

/** Resolves Ref, Fn::GetAtt and Fn::Join into plain values. */
export function resolveIntrinsics(template: CfnTemplate, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(template, item));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    return PSEUDO[ref] ?? refOf(template, ref);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    return attributeOf(template, logicalId, attribute);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(template, part))).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(template, item)]));
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** A state machine of the template: its fake ARN and its definition as a JSON object. */
export interface LocalStateMachine {
  readonly logicalId: string;
  readonly arn: string;
  readonly definition: StateMachineDefinition;
}

/** The template's state machines of one type (STANDARD is CloudFormation's default). */
export function stateMachinesOfType(template: CfnTemplate, type: 'STANDARD' | 'EXPRESS'): LocalStateMachine[] {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine')
    .filter(([, resource]) => (resource.Properties?.StateMachineType ?? 'STANDARD') === type)
    .map(([logicalId, resource]) => ({
      logicalId,
      arn: arnOf(template, logicalId),
      definition: JSON.parse(String(resolveIntrinsics(template, resource.Properties?.DefinitionString))) as StateMachineDefinition,
    }));
}

/** The watcher: the template's one STANDARD state machine. */
export function watcherDefinition(template: CfnTemplate): LocalStateMachine {
  const machines = stateMachinesOfType(template, 'STANDARD');
  if (machines.length !== 1) throw new Error(`Expected one STANDARD state machine in the template, found ${machines.length}`);
  return machines[0]!;
}

/** The Express check loop of the bench's comparison design (bench/express-loop/), or undefined in a template without one (the product's). */
export function checkLoopDefinition(template: CfnTemplate): LocalStateMachine | undefined {
  const machines = stateMachinesOfType(template, 'EXPRESS');
  if (machines.length > 1) throw new Error(`Expected at most one EXPRESS state machine in the template, found ${machines.length}`);
  return machines[0];
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly arn: string;
  /** Folder under lambda/ holding handler.ts. */
  readonly functionDir: string;
  readonly environment: Record<string, string>;
}

export function localFunctions(template: CfnTemplate, metadataKey: string): LocalFunction[] {
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, resource]) => typeof resource.Metadata?.[metadataKey] === 'string')
    .map(([logicalId, resource]) => {
      const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      return {
        logicalId,
        arn: arnOf(template, logicalId),
        functionDir: resource.Metadata![metadataKey] as string,
        environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(resolveIntrinsics(template, value))])),
      };
    });
}

/** The parts of Amazon States Language the local runner reads. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxAttempts?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}
export interface StateDefinition {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Branches?: readonly StateMachineDefinition[];
  /** A Map state's iteration (ItemProcessor, or Iterator in older definitions). */
  readonly ItemProcessor?: StateMachineDefinition;
  readonly Iterator?: StateMachineDefinition;
  readonly Next?: string;
  readonly End?: boolean;
}
export interface StateMachineDefinition {
  readonly StartAt: string;
  readonly States: Record<string, StateDefinition>;
}

/** Every state, including those inside Parallel branches and Map iterations, by name. */
export function allStates(definition: StateMachineDefinition): Record<string, StateDefinition> {
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = state;
    const nested = [
      ...(state.Branches ?? []),
      ...(state.ItemProcessor ? [state.ItemProcessor] : []),
      ...(state.Iterator ? [state.Iterator] : []),
    ];
    for (const definition of nested) Object.assign(states, allStates(definition));
  }
  return states;
}
