// How one log line reads: 1.4g's text, or (AUTOSSH_LOGFORMAT=json, the daemon's [log] format)
// one JSON object a line for journald, Loki and the like. Pure: the time is given.

export type LogFormat = 'text' | 'json';

/** syslog's level names, as journald and most log shippers spell them */
const LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export function levelName(level: number): string {
  return LEVEL_NAMES[Math.min(Math.max(level, 0), 7)]!;
}

/** 1.4g's timestamp: local time, `YYYY/MM/DD HH:MM:SS` */
export function textTimestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${p(date.getMonth() + 1)}/${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

/** In the daemon every line names its tunnel first: `db: starting ssh (count 1)`. */
export function labelled(tunnel: string | null, message: string): string {
  return tunnel === null ? message : `${tunnel}: ${message}`;
}

/** The log file's (and AUTOSSH_DEBUG's stderr) text line, newline included. */
export function textLine(date: Date, progName: string, pid: number, message: string): string {
  return `${textTimestamp(date)} ${progName}[${pid}]: ${message}\n`;
}

export interface JsonRecord {
  date: Date;
  level: number;
  /** the tunnel in daemon mode; the drop-in has none and leaves the key out */
  tunnel: string | null;
  message: string;
  /** the rule behind the decision this line came with, and the decision's own words */
  rule?: string | null;
  decision?: string | null;
}

/** One JSON object, no newline: `{"time","level","tunnel","message","rule","decision"}`. */
export function jsonText(record: JsonRecord): string {
  const object: Record<string, string> = { time: record.date.toISOString(), level: levelName(record.level) };
  if (record.tunnel !== null) object.tunnel = record.tunnel;
  object.message = record.message;
  if (record.rule) object.rule = record.rule;
  if (record.decision) object.decision = record.decision;
  return JSON.stringify(object);
}
