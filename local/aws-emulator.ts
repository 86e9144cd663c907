import { randomUUID } from 'node:crypto';
import { startLoopbackServer, type LoopbackRequest, type LoopbackResponse, type LoopbackServer } from './loopback-server';
import type { LocalExecution } from './local-watcher';
import type { QueueEmulator } from './queue-emulator';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: string;
  readonly attributes: Record<string, string>;
  /** Size as SNS counts it: the Message parameter in bytes. */
  readonly bytes: number;
}

/** One entry PutEvents accepted, as a rule's target would receive its parts. */
export interface PutEvent {
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface StartedExecution {
  readonly executionArn: string;
  readonly startDate: Date;
}

/**
 * What Step Functions does with a task token (SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat). A callback throws {@link AwsErrorAnswer} to refuse as the API does:
 * `TaskDoesNotExist` (unknown or already completed token), `InvalidToken`, `TaskTimedOut`,
 * all HTTP 400 in `@aws-sdk/client-sfn`'s model.
 */
export interface TaskTokenCallbacks {
  success(taskToken: string, outputJson: string): void;
  failure(taskToken: string, error?: string, cause?: string): void;
  heartbeat(taskToken: string): void;
}

export interface AwsEmulatorOptions {
  /** Step Functions task tokens. @default none (the SendTask* calls answer UnknownOperationException) */
  readonly taskTokens?: TaskTokenCallbacks;
  /** SQS (`AmazonSQS.*` targets). @default none */
  readonly queues?: QueueEmulator;
  /**
   * Step Functions' read API (ListExecutions, DescribeExecution, GetExecutionHistory) over the
   * executions of one state machine. @default none (those calls answer UnknownOperationException)
   */
  readonly executions?: ExecutionSource;
}

/** The executions a state machine has run (the local watcher's). */
export interface ExecutionSource {
  readonly stateMachineArn: string;
  readonly all: () => Iterable<LocalExecution>;
}

/** Step Functions refuses task outputs above 256 KB. */
const SFN_MAX_OUTPUT_BYTES = 262_144;

/** Thrown by `startExecution` or a task token callback to answer with an AWS error code. */
export class AwsErrorAnswer extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}

/** SNS refuses messages above 256 KB. */
const SNS_MAX_MESSAGE_BYTES = 262_144;

/**
 * One loopback server for the AWS APIs the handlers call besides CloudFront: SNS Publish
 * (query protocol), Secrets Manager GetSecretValue and Step Functions StartExecution (JSON
 * protocols), Step Functions task tokens (SendTaskSuccess/Failure/Heartbeat), given the
 * executions, Step Functions' read API (ListExecutions, DescribeExecution, GetExecutionHistory),
 * CloudFormation DescribeStacks (the {@link stacks} set) and, given a {@link QueueEmulator}, SQS. Point AWS_ENDPOINT_URL_SNS, _SECRETS_MANAGER, _SFN and _SQS at `url`.
 */
export class AwsEmulator {
  public readonly published: PublishedMessage[] = [];
  public readonly secrets = new Map<string, string>();
  public snsFailures: { status: number; code: string }[] = [];
  /** The next GetSecretValue answers, in order (each SDK attempt takes one); afterwards the secret. */
  public secretsFailures: { status: number; code: string }[] = [];
  /**
   * Organization mode: member accounts whose reader role can be assumed (STS AssumeRole), with
   * their alias (IAM ListAccountAliases); any other account's role is refused (AccessDenied).
   */
  public readonly memberAccounts = new Map<string, { alias?: string }>();
  /** Every AssumeRole asked for, granted or not. */
  public readonly assumedRoles: string[] = [];
  /** Events put on any bus (EventBridge PutEvents). */
  public readonly events: PutEvent[] = [];
  /** Per-entry failures to answer next (PutEvents answers 200 with ErrorCode per entry). */
  public eventsEntryFailures: { code: string; message: string }[] = [];
  /** Every GetSecretValue request, answered or failed. */
  public secretReads = 0;
  /** CloudFormation stacks DescribeStacks knows, by name, with their outputs (OutputKey -> OutputValue). */
  public readonly stacks = new Map<string, Readonly<Record<string, string>>>();
  private server?: LoopbackServer;

  constructor(
    private readonly startExecution: (arn: string, name: string, input: string) => StartedExecution,
    private readonly options: AwsEmulatorOptions = {},
  ) {}

  async start(): Promise<string> {
    this.server = await startLoopbackServer((request) => this.route(request));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  private route(request: LoopbackRequest): LoopbackResponse {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target.startsWith('secretsmanager.')) return this.secretsManager(target, request.body);
    if (target.startsWith('AWSStepFunctions.')) return this.stepFunctions(target, request.body);
    if (target.startsWith('AmazonSQS.') && this.options.queues) return this.options.queues.answer(target, request.body);
    if (target === 'AWSEvents.PutEvents') return this.putEvents(request.body);
    const form = new URLSearchParams(request.body);
    if (form.get('Action') === 'Publish') return this.publish(form);
    if (form.get('Action') === 'AssumeRole') return this.assumeRole(form);
    if (form.get('Action') === 'ListAccountAliases') return this.listAccountAliases(request.headers.authorization);
    if (form.get('Action') === 'DescribeStacks') return this.describeStacks(form.get('StackName') ?? '');
    return jsonError('UnknownOperationException', `Not emulated: ${target || form.get('Action') || request.path}`, 400, '1.1');
  }

  private publish(form: URLSearchParams): LoopbackResponse {
    const failure = this.snsFailures.shift();
    if (failure) return queryError(failure.code, `Emulated ${failure.code}`, failure.status);
    const message = form.get('Message') ?? '';
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > SNS_MAX_MESSAGE_BYTES) return queryError('InvalidParameter', 'Invalid parameter: Message too long', 400);
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
    this.published.push({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? undefined,
      message,
      messageStructure: form.get('MessageStructure') ?? undefined,
      attributes,
      bytes,
    });
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  private secretsManager(target: string, body: string): LoopbackResponse {
    if (target !== 'secretsmanager.GetSecretValue') return jsonError('UnknownOperationException', target, 400, '1.1');
    this.secretReads++;
    const failure = this.secretsFailures.shift();
    if (failure) return jsonError(failure.code, `Emulated ${failure.code}`, failure.status, '1.1');
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    const value = this.secrets.get(SecretId);
    if (value === undefined) return jsonError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400, '1.1');
    return json(
      {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        SecretString: value,
        VersionId: 'v1',
        CreatedDate: Date.now() / 1000,
      },
      '1.1',
    );
  }

  /** Credentials whose access key names the account: the CloudFront emulator reads it from the signature. */
  private assumeRole(form: URLSearchParams): LoopbackResponse {
    const roleArn = form.get('RoleArn') ?? '';
    this.assumedRoles.push(roleArn);
    const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
    if (!account || !this.memberAccounts.has(account)) {
      return stsError(
        'AccessDenied',
        `User: arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/notifier is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const expiration = new Date(Date.now() + 15 * 60_000).toISOString();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${memberAccessKey(account)}</AccessKeyId><SecretAccessKey>local</SecretAccessKey><SessionToken>local</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/reader/s</Arn>` +
        `<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }

  private listAccountAliases(authorization: unknown): LoopbackResponse {
    const account = accountOfSignature(authorization) ?? LOCAL_ACCOUNT_ID;
    const alias = this.memberAccounts.get(account)?.alias;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccountAliasesResult><AccountAliases>` +
        `${alias ? `<member>${alias}</member>` : ''}</AccountAliases><IsTruncated>false</IsTruncated></ListAccountAliasesResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListAccountAliasesResponse>`,
    };
  }

  /** CloudFormation DescribeStacks of one stack by name: its outputs, or ValidationError "does not exist" as the service says. */
  private describeStacks(stackName: string): LoopbackResponse {
    const outputs = this.stacks.get(stackName);
    const namespace = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
    if (!outputs) {
      return {
        status: 400,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xmlText(stackName)} does not exist</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      };
    }
    const members = Object.entries(outputs)
      .map(([key, value]) => `<member><OutputKey>${xmlText(key)}</OutputKey><OutputValue>${xmlText(value)}</OutputValue></member>`)
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        `<DescribeStacksResponse xmlns="${namespace}"><DescribeStacksResult><Stacks><member><StackName>${xmlText(stackName)}</StackName>` +
        `<StackId>arn:aws:cloudformation:us-east-1:${LOCAL_ACCOUNT_ID}:stack/${xmlText(stackName)}/${randomUUID()}</StackId>` +
        `<CreationTime>${new Date().toISOString()}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
        `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    };
  }

  private putEvents(body: string): LoopbackResponse {
    const { Entries = [] } = JSON.parse(body) as {
      Entries?: { EventBusName?: string; Source?: string; DetailType?: string; Resources?: string[]; Detail?: string }[];
    };
    let failed = 0;
    const results = Entries.map((entry) => {
      const failure = this.eventsEntryFailures.shift();
      if (failure) {
        failed += 1;
        return { ErrorCode: failure.code, ErrorMessage: failure.message };
      }
      this.events.push({
        eventBusName: entry.EventBusName ?? 'default',
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail ?? '{}') as unknown,
      });
      return { EventId: randomUUID() };
    });
    return json({ FailedEntryCount: failed, Entries: results }, '1.1');
  }

  private stepFunctions(target: string, body: string): LoopbackResponse {
    try {
      switch (target) {
        case 'AWSStepFunctions.StartExecution': {
          const { stateMachineArn, name, input } = JSON.parse(body) as { stateMachineArn: string; name: string; input: string };
          const started = this.startExecution(stateMachineArn, name, input ?? '{}');
          return json({ executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 }, '1.0');
        }
        case 'AWSStepFunctions.ListExecutions':
        case 'AWSStepFunctions.DescribeExecution':
        case 'AWSStepFunctions.GetExecutionHistory':
          return this.readExecutions(target, JSON.parse(body) as ExecutionsRequest);
        case 'AWSStepFunctions.SendTaskSuccess':
        case 'AWSStepFunctions.SendTaskFailure':
        case 'AWSStepFunctions.SendTaskHeartbeat':
          return this.taskToken(target, JSON.parse(body) as TaskTokenRequest);
        default:
          return jsonError('UnknownOperationException', target, 400, '1.0');
      }
    } catch (error) {
      if (error instanceof AwsErrorAnswer) return jsonError(error.code, error.message, error.status, '1.0');
      throw error;
    }
  }

  /**
   * The read API as the service answers it: ListExecutions newest first (statusFilter,
   * maxResults, nextToken), DescribeExecution, GetExecutionHistory (maxResults, reverseOrder,
   * nextToken); an unknown state machine is StateMachineDoesNotExist, an unknown execution
   * ExecutionDoesNotExist, a malformed ARN InvalidArn, a foreign token InvalidToken.
   */
  private readExecutions(target: string, request: ExecutionsRequest): LoopbackResponse {
    const source = this.options.executions;
    if (!source) return jsonError('UnknownOperationException', `Not emulated: ${target} (no executions given)`, 400, '1.0');
    const maxResults = request.maxResults || 100;
    if (maxResults < 0 || maxResults > 1000)
      throw new AwsErrorAnswer(
        'ValidationException',
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
    if (target === 'AWSStepFunctions.ListExecutions') {
      const arn = request.stateMachineArn ?? '';
      if (!STATE_MACHINE_ARN.test(arn))
        throw new AwsErrorAnswer('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
      if (arn !== source.stateMachineArn) throw new AwsErrorAnswer('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      const matching = [...source.all()]
        .filter((execution) => !request.statusFilter || execution.status === request.statusFilter)
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
      const { page, nextToken } = pageOf(matching, maxResults, request.nextToken);
      return json({ executions: page.map((execution) => executionListItem(execution, arn)), ...(nextToken ? { nextToken } : {}) }, '1.0');
    }
    const arn = request.executionArn ?? '';
    if (!EXECUTION_ARN.test(arn)) throw new AwsErrorAnswer('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const execution = [...source.all()].find((each) => each.arn === arn);
    if (!execution) throw new AwsErrorAnswer('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    if (target === 'AWSStepFunctions.DescribeExecution') {
      return json(
        {
          ...executionListItem(execution, source.stateMachineArn),
          input: JSON.stringify(execution.input),
          inputDetails: { included: true },
          ...(execution.status === 'SUCCEEDED'
            ? { output: JSON.stringify(execution.output ?? null), outputDetails: { included: true } }
            : {}),
          ...(execution.error ? { error: execution.error.name, cause: execution.error.cause } : {}),
        },
        '1.0',
      );
    }
    const events = request.reverseOrder ? [...execution.history].reverse() : execution.history;
    const { page, nextToken } = pageOf(events, maxResults, request.nextToken);
    return json(
      {
        events: page.map(({ timestampMs, details, ...event }) => ({ ...event, timestamp: timestampMs / 1000, ...details })),
        ...(nextToken ? { nextToken } : {}),
      },
      '1.0',
    );
  }

  private taskToken(target: string, request: TaskTokenRequest): LoopbackResponse {
    const callbacks = this.options.taskTokens;
    if (!callbacks) return jsonError('UnknownOperationException', `Not emulated: ${target} (no task token callbacks given)`, 400, '1.0');
    const { taskToken } = request;
    // The model's constraints (taskToken 1-2,048 characters, error 256, cause 32,768), checked as the service does.
    if (typeof taskToken !== 'string' || taskToken.length < 1 || taskToken.length > 2048)
      throw new AwsErrorAnswer(
        'ValidationException',
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    if (target === 'AWSStepFunctions.SendTaskSuccess') {
      const output = request.output ?? '';
      if (Buffer.byteLength(output, 'utf8') > SFN_MAX_OUTPUT_BYTES)
        throw new AwsErrorAnswer(
          'ValidationException',
          "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144",
        );
      try {
        JSON.parse(output);
      } catch {
        throw new AwsErrorAnswer('InvalidOutput', 'Invalid Output: the output is not valid JSON.');
      }
      callbacks.success(taskToken, output);
    } else if (target === 'AWSStepFunctions.SendTaskFailure') {
      if ((request.error?.length ?? 0) > 256)
        throw new AwsErrorAnswer(
          'ValidationException',
          "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256",
        );
      if ((request.cause?.length ?? 0) > 32_768)
        throw new AwsErrorAnswer(
          'ValidationException',
          "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768",
        );
      callbacks.failure(taskToken, request.error, request.cause);
    } else {
      callbacks.heartbeat(taskToken);
    }
    return json({}, '1.0');
  }
}

interface ExecutionsRequest {
  readonly stateMachineArn?: string;
  readonly executionArn?: string;
  readonly statusFilter?: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly reverseOrder?: boolean;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/;

function executionListItem(execution: LocalExecution, stateMachineArn: string) {
  return {
    executionArn: execution.arn,
    stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.getTime() / 1000,
    ...(execution.status === 'RUNNING' ? {} : { stopDate: execution.startDate.getTime() / 1000 + execution.virtualSeconds }),
  };
}

/** One page from `nextToken` (an offset this emulator gave; anything else is InvalidToken). */
function pageOf<T>(items: readonly T[], maxResults: number, nextToken: string | undefined): { page: readonly T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const offset = /^page-(\d+)$/.exec(Buffer.from(nextToken, 'base64').toString('utf8'))?.[1];
    if (offset === undefined) throw new AwsErrorAnswer('InvalidToken', `Invalid Token: '${nextToken.slice(0, 40)}'`);
    start = Number(offset);
  }
  const end = start + maxResults;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: Buffer.from(`page-${end}`).toString('base64') } : {}) };
}

interface TaskTokenRequest {
  readonly taskToken?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

const LOCAL_ACCOUNT_ID = '123456789012';

/** An access key that says which member account it belongs to (`ASIAMEMBER222222222222`). */
export const memberAccessKey = (account: string): string => `ASIAMEMBER${account}`;

/** The account whose assumed credentials signed a request (SigV4 `Credential=AKID/...`), or undefined for the notifier's own. */
export function accountOfSignature(authorization: unknown): string | undefined {
  return /Credential=ASIAMEMBER(\d{12})\//.exec(String(authorization ?? ''))?.[1];
}

const stsError = (code: string, message: string): LoopbackResponse => ({
  status: 403,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const json = (body: unknown, version: '1.0' | '1.1'): LoopbackResponse => ({
  status: 200,
  headers: { 'content-type': `application/x-amz-json-${version}` },
  body: JSON.stringify(body),
});

const jsonError = (code: string, message: string, status: number, version: '1.0' | '1.1'): LoopbackResponse => ({
  status,
  headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': code },
  body: JSON.stringify({ __type: code, message }),
});

const queryError = (code: string, message: string, status: number): LoopbackResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});
