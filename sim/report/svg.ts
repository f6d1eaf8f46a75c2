// Tiny SVG and HTML helpers shared by every report (replay, fleet, chaos): escaped text, a time
// axis, a legend, and the page itself. No dependencies, nothing fetched: a report is one file.
/** Text made safe for HTML and SVG, in element content and in quoted attributes alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function rect(x: number, y: number, w: number, h: number, fill: string, title?: string, cls?: string): string {
  const c = cls ? ` class="${cls}"` : '';
  const r = `<rect${c} x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w).toFixed(1)}" height="${h}" fill="${fill}"`;
  return title ? `${r}><title>${esc(title)}</title></rect>` : `${r}/>`;
}

export function text(x: number, y: number, body: string, extra = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y}" font-size="11" font-family="sans-serif" ${extra}>${esc(body)}</text>`;
}

/** The id of the element the page's script adds when any script on it fails (the Chromium test looks for it). */
export const SCRIPT_ERROR_ID = 'report-script-error';

/**
 * Every report's one script: it reports its own failures into the page (so a headless browser's
 * DOM dump shows them) and links table rows to the plot's marks by `data-mark`.
 */
export const PAGE_SCRIPT = `<script>
window.onerror = function (message, source, line) {
  var p = document.getElementById('${SCRIPT_ERROR_ID}') || document.body.appendChild(document.createElement('pre'));
  p.id = '${SCRIPT_ERROR_ID}';
  p.textContent += 'script error: ' + message + ' (line ' + line + ')\\n';
};
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('tr[data-mark]').forEach(function (row) {
    var mark = document.getElementById(row.getAttribute('data-mark'));
    if (!mark) return;
    row.addEventListener('mouseenter', function () { mark.classList.add('hl'); });
    row.addEventListener('mouseleave', function () { mark.classList.remove('hl'); });
  });
  document.body.setAttribute('data-script', 'ran');
});
</script>`;

const STYLE = 'body{font:14px/1.4 system-ui,sans-serif;margin:1em;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:24px}'
  + 'table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}'
  + 'td.n,th.n{text-align:right}.bad{color:#b00;font-weight:bold}code{font-size:12px;word-break:break-all}'
  + 'svg{background:#fcfcfc;border:1px solid #ddd}.hl{stroke:#000;stroke-width:2}'
  + '.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}';

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>\n`
    + `<style>${STYLE}</style>\n${PAGE_SCRIPT}\n`
    + `</head><body>\n<h1>${esc(title)}</h1>\n${body}\n</body></html>\n`;
}

/** A legend as HTML swatches: [colour, meaning]. */
export function legend(entries: ReadonlyArray<readonly [string, string]>): string {
  return `<p class="legend">${entries.map(([colour, meaning]) => `<span><i class="sw" style="background:${colour}"></i>${esc(meaning)}</span>`).join('')}</p>`;
}

/** A tick spacing in ms giving at most `maxTicks` ticks over `spanMs`, on a human step (1 s, 5 min, 1 d...). */
export function niceStepMs(spanMs: number, maxTicks: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];
  for (const s of steps) if (spanMs / (s * 1000) <= maxTicks) return s * 1000;
  return Math.ceil(spanMs / maxTicks / 2_592_000_000) * 2_592_000_000;
}

/** `h:mm:ss` from offset 0 (`1d 2:03:04` past a day). */
export function formatClockOffset(ms: number): string {
  const total = Math.round(ms / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}

/**
 * Tick labels for offsets: the wall clock (UTC, with the date on the first tick and at each new
 * day) when the start is known, else h:mm:ss from the start.
 */
export function offsetLabeller(startEpochMs: number | null): (ms: number, first: boolean) => string {
  if (startEpochMs === null) return (ms) => formatClockOffset(ms);
  let lastDay = '';
  return (ms, first) => {
    const iso = new Date(startEpochMs + ms).toISOString();
    const day = iso.slice(0, 10);
    const clock = iso.slice(11, 19);
    const showDay = first || day !== lastDay;
    lastDay = day;
    return showDay ? `${day} ${clock}` : clock;
  };
}

export interface AxisSpec {
  /** offset (ms) to x (px) */
  x: (ms: number) => number;
  fromMs: number;
  toMs: number;
  /** grid lines run from top to bottom; labels sit under bottom */
  top: number;
  bottom: number;
  label: (ms: number, first: boolean) => string;
  maxTicks?: number;
}

/** Grid lines and labelled ticks of a time axis; `class="tick-label"` marks each label. */
export function timeAxis(spec: AxisSpec): string {
  const span = Math.max(1, spec.toMs - spec.fromMs);
  const step = niceStepMs(span, spec.maxTicks ?? 10);
  const parts: string[] = [`<line class="axis" x1="${spec.x(spec.fromMs).toFixed(1)}" x2="${spec.x(spec.toMs).toFixed(1)}" y1="${spec.bottom}" y2="${spec.bottom}" stroke="#555"/>`];
  let first = true;
  // bounded: at most maxTicks + 1 ticks by niceStepMs
  for (let ms = Math.ceil(spec.fromMs / step) * step; ms <= spec.toMs; ms += step) {
    const x = spec.x(ms).toFixed(1);
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${spec.top}" y2="${spec.bottom + 4}" stroke="#e4e4e4"/>`);
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${spec.bottom}" y2="${spec.bottom + 4}" stroke="#555"/>`);
    parts.push(`<text class="tick-label" x="${x}" y="${spec.bottom + 16}" font-size="11" font-family="sans-serif" text-anchor="middle">${esc(spec.label(ms, first))}</text>`);
    first = false;
  }
  return parts.join('');
}
