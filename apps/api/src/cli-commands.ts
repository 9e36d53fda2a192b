import type { Command } from 'commander';
import { registerLapseCommands } from './persons/lapse.cli';

/** Feature modules add their operator commands here (each registers on the shared program). */
export const CLI_COMMANDS: Array<(program: Command) => void> = [registerLapseCommands];
