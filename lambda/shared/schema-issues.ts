import * as v from 'valibot';

/**
 * A schema's complaints in one line: `"request.target.id": must not be empty; "startedAt": ...`,
 * each naming its field (or `whole` when the value itself is wrong), for an input refused at its edge.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], whole = 'the input'): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue);
      return `${path ? `"${path}"` : whole}: ${issue.message}`;
    })
    .join('; ');
}
