import type { Command } from 'commander';

/** Feature modules add their operator commands here (each registers on the shared program). */
export const CLI_COMMANDS: Array<(program: Command) => void> = [];
