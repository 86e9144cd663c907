import { resolveIntrinsics, type CfnTemplate } from '../../local/template';

const template: CfnTemplate = {
  Resources: {
    Watches: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Ticks: { Type: 'AWS::SQS::Queue', Properties: {} },
    Checker: { Type: 'AWS::Lambda::Function', Properties: {} },
  },
};

describe('resolveIntrinsics resolves the checker resources as CloudFormation does', () => {
  test.each([
    [{ Ref: 'Watches' }, 'Watches'],
    [{ 'Fn::GetAtt': ['Watches', 'Arn'] }, 'arn:aws:dynamodb:us-east-1:123456789012:table/Watches'],
    [{ Ref: 'Ticks' }, 'https://sqs.us-east-1.amazonaws.com/123456789012/Ticks'],
    [{ 'Fn::GetAtt': ['Ticks', 'Arn'] }, 'arn:aws:sqs:us-east-1:123456789012:Ticks'],
    [{ 'Fn::GetAtt': ['Ticks', 'QueueUrl'] }, 'https://sqs.us-east-1.amazonaws.com/123456789012/Ticks'],
    [{ 'Fn::GetAtt': ['Ticks', 'QueueName'] }, 'Ticks'],
    [{ 'Fn::GetAtt': ['Checker', 'Arn'] }, 'arn:aws:lambda:us-east-1:123456789012:function:Checker'],
  ])('%j -> %s', (intrinsic, expected) => {
    expect(resolveIntrinsics(template, intrinsic)).toBe(expected);
  });

  test("a table's stream ARN is refused by name: the local runner has no streams", () => {
    expect(() => resolveIntrinsics(template, { 'Fn::GetAtt': ['Watches', 'StreamArn'] })).toThrow('Watches.StreamArn');
  });

  test('inside policies and environments (Fn::Join of a table ARN)', () => {
    expect(resolveIntrinsics(template, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Watches', 'Arn'] }, '/index/*']] })).toBe(
      'arn:aws:dynamodb:us-east-1:123456789012:table/Watches/index/*',
    );
  });
});
