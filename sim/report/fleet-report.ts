import type { FleetResult } from '../fleet/run-fleet.js';
export function fleetReportHtml(r: FleetResult): string {
  return `<!doctype html><title>${r.model}</title><svg xmlns="http://www.w3.org/2000/svg"></svg>\n`;
}
