import type { GerritClient } from '@stackci/gerrit'
import { type ListChangesOption } from '@stackci/gerrit'
import type { ChangeSource, GerritChangeInfo } from '@stackci/pipeline'

/** The watcher's view of Gerrit, on the shared REST client (paging, retries, typed errors). */
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
