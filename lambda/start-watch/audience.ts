import { route, needsTags, type RouteTable } from '../shared/routing';
import type { Audience } from '../shared/watcher-input';
import type { RejectedEvent, WatchRequest } from '../shared/watch-request';
import type { TargetLookups } from './lookups';

/** What Start watch read from the event: a request to watch, or why the event was rejected. */
export type WatchSubject = { readonly request: WatchRequest } | { readonly rejected: RejectedEvent };

/** Decides who hears about a watch. */
export type AudienceOf = (subject: WatchSubject) => Promise<Audience>;

/**
 * Routes each watch once, from what the event says plus cached look-ups: the target's name for
 * the message, and its tags when a route matches on tags. A look-up that fails leaves the name
 * unknown (the message shows the IDs) and tag routes unmatched; it never fails the watch.
 */
export function audienceFrom(table: RouteTable, lookups: TargetLookups): AudienceOf {
  const withTags = needsTags(table);
  return async (subject) => {
    const request = 'request' in subject ? subject.request : undefined;
    const rejected = 'rejected' in subject ? subject.rejected : undefined;
    const details = request ? await lookups.details(request.target, request.account, withTags) : {};
    const creators = [request?.createdBy ?? rejected?.createdBy, request?.createdByArn ?? rejected?.createdByArn].filter(
      (creator): creator is string => creator !== undefined,
    );
    const decision = route(table, {
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
    };
  };
}
