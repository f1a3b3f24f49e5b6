import type { Command } from '../command.js'
import { resultsCommand } from './results.js'

/** Every subcommand, in the order `stackci --help` lists them. One file per command. */
export const commands: Command[] = [resultsCommand]
