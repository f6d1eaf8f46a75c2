export { parseCommandLine } from './parse.js';
export type { Config, Monitor, Notice, ParseOutcome } from './types.js';
export { LOG_DEBUG, LOG_ERR, LOG_INFO } from './log-levels.js';
export { monitorForwards, MONITOR_HOST } from './ssh-argv.js';
