import type { Command } from '../command.js'
import { gerritPendingCommand } from './gerrit-pending.js'
import { gerritReportCommand } from './gerrit-report.js'
import { planCommand } from './plan.js'
import { resultsCommand } from './results.js'
import { demo } from './demo.js'
import { localConfCommand } from './local-conf.js'
import { imageResolveCommand } from './image-resolve.js'

/** Every subcommand, in the order `stackci --help` lists them. One file per command. */
export const commands: Command[] = [
  planCommand,
  resultsCommand,
  localConfCommand,
  gerritPendingCommand,
  gerritReportCommand,
  imageResolveCommand,
  demo,
]
