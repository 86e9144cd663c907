import { route, needsTags, type RouteTable } from '../shared/routing';
import { workOf } from '../shared/watch-request';
import type { Audience } from '../shared/watcher-input';
import type { RejectedEvent, WatchRequest } from '../shared/watch-request';
import { ErrorNames, NamedError } from '../shared/errors';
import type { TargetLookups } from './lookups';

/** What Start watch read from the event: a request to watch, or why the event was rejected. */
export type WatchSubject = { readonly request: WatchRequest } | { readonly rejected: RejectedEvent };

/** Decides who hears about a watch. */
export type AudienceOf = (subject: WatchSubject) => Promise<Audience>;

/**
 * Routes each watch once, from what the event says plus cached look-ups: the target's name for
 * the message, and its tags when a route matches on tags. A look-up that fails leaves the name
 * unknown (the message shows the IDs). Tags decide who hears: when a route needs them and they
 * cannot be read for now, the invocation fails (Lambda tries the event again, then keeps it in
 * the dead-letter queue); when they are refused for good, tag routes are not applied and the
 * message says so.
 */
export function audienceFrom(table: RouteTable, lookups: TargetLookups): AudienceOf {
  const withTags = needsTags(table);
  return async (subject) => {
    const request = 'request' in subject ? subject.request : undefined;
    const rejected = 'rejected' in subject ? subject.rejected : undefined;
    const details = request ? await lookups.details(request.target, request.account, withTags) : {};
    const what = request ? `${request.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${request.target.id}` : '';
    if (details.tagsUnreadable?.transient) {
      throw new NamedError(
        ErrorNames.TagsUnavailable,
        `The tags of ${what} could not be read now (${details.tagsUnreadable.reason}): retried`,
      );
    }
    const creators = [request?.createdBy ?? rejected?.createdBy, request?.createdByArn ?? rejected?.createdByArn].filter(
      (creator): creator is string => creator !== undefined,
    );
    const decision = route(table, {
      work: workOf(request ?? rejected ?? {}),
      ...(request ? { targetKind: request.target.kind, account: request.account } : {}),
      targetId: request?.target.id ?? rejected?.targetId,
      ...(details.tags ? { tags: details.tags } : {}),
      creators,
    });
    const account = request?.account;
    const accountName =
      account && lookups.namesAccounts ? (details.accountAlias ? `${details.accountAlias} (${account})` : account) : undefined;
    return {
      destinations: decision.destinations,
      routes: decision.routes,
      ...(details.name ? { targetName: details.name } : {}),
      ...(accountName ? { accountName } : {}),
      ...(details.tagsUnreadable
        ? { routingNote: `the tags of ${what} could not be read (${details.tagsUnreadable.reason}), so routes on tags were not applied` }
        : rejected && withTags
          ? { routingNote: 'the CloudTrail event could not be read, so routes on tags were not applied' }
          : {}),
    };
  };
}
