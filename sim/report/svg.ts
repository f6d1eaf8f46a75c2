// Tiny SVG and HTML helpers: escaped text, no dependencies, nothing fetched. Every report
// (replay, fleet, chaos) escapes with esc() from here.
/** Text made safe for HTML and SVG, in element content and in quoted attributes alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function rect(x: number, y: number, w: number, h: number, fill: string, title?: string): string {
  const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w).toFixed(1)}" height="${h}" fill="${fill}"`;
  return title ? `${r}><title>${esc(title)}</title></rect>` : `${r}/>`;
}

export function text(x: number, y: number, body: string, extra = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y}" font-size="11" font-family="sans-serif" ${extra}>${esc(body)}</text>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title>\n`
    + '<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}</style>'
    + `</head><body>\n<h1>${esc(title)}</h1>\n${body}\n</body></html>\n`;
}
