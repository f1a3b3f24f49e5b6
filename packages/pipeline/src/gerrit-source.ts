import type { GerritClient } from '@stackci/gerrit'
import { type ListChangesOption } from '@stackci/gerrit'
import type { GerritChangeInfo } from './gerrit-change.js'
import type { ChangeSource } from './gerrit-watch.js'

/**
 * The watcher's view of Gerrit, on the shared REST client (paging, retries, typed errors): what
 * watch-gerrit, `stackci gerrit pending` and the demo read changes through.
 */
export function gerritSource(client: GerritClient): ChangeSource {
  return {
    async query(query, options, limit) {
      const changes = await client.queryChanges(query, {
        options: options as ListChangesOption[],
        pageSize: Math.min(100, limit),
        limit,
      })
      return changes as GerritChangeInfo[]
    },
  }
}
