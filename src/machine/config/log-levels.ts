// syslog(3) priorities, which AUTOSSH_LOGLEVEL counts in.
export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;
