import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'

/** The repository consumers call our reusable workflows from (`stackci/stackci/.github/workflows/x.yml@sha`). */
export const OUR_REPOSITORY = { owner: 'stackci', repository: 'stackci' }

type FileReference = { path: string } | { owner: string; repository: string; path: string; version: string }

/**
 * Parses a workflow with GitHub's own parser, then converts it with reusable workflows resolved:
 * local ones from `root`, and ours (stackci/stackci at any ref) from `root` too, so that callers in
 * workflows/examples/ are checked against the inputs and secrets our reusable workflows declare.
 */
export async function workflowErrors(
  root: string,
  path: string,
  content = readFileSync(join(root, path), 'utf8'),
) {
  const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map((e) => e.message)
  if (parsed.value === undefined) return errors.length ? errors : [`${path}: could not be parsed`]
  const fileProvider = {
    async getFileContent(ref: FileReference) {
      const local = 'owner' in ref ? ourPath(ref) : ref.path
      if (!local || !existsSync(join(root, local))) {
        throw new Error(`reusable workflow not available offline: ${JSON.stringify(ref)}`)
      }
      return { name: local, content: readFileSync(join(root, local), 'utf8') }
    },
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, fileProvider as never, {
    fetchReusableWorkflowDepth: 1,
    maxReusableWorkflowDepth: 10,
  })
  for (const e of template.errors ?? []) {
    const message = (e as { Message?: string }).Message ?? String(e)
    if (!errors.includes(message)) errors.push(message)
  }
  return errors
}

function ourPath(ref: { owner: string; repository: string; path: string }): string | undefined {
  return ref.owner === OUR_REPOSITORY.owner && ref.repository === OUR_REPOSITORY.repository
    ? ref.path
    : undefined
}

export function actionErrors(path: string, content = readFileSync(path, 'utf8')): string[] {
  const parsed = parseAction({ name: path, content }, new NoOperationTraceWriter())
  return parsed.context.errors.getErrors().map((e) => e.message)
}
