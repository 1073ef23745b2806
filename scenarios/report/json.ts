// Writing a report (report.json for machines and replays, report.html for people) and reading one
// back, refusing files that are not ours or of a format version we do not know.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../cluster/util/atomic-write.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { renderReportHtml } from './html.ts';
import { REPORT_FORMAT, type ScenarioReport } from './types.ts';

export interface ReportPaths {
  json: string;
  html: string;
}

/** Writes report.json and report.html into `dir` (created if missing); atomic, so a crash mid-write leaves no torn report. */
export async function writeReport(dir: string, report: ScenarioReport): Promise<ReportPaths> {
  await fsp.mkdir(dir, { recursive: true });
  const paths = { json: path.join(dir, 'report.json'), html: path.join(dir, 'report.html') };
  // Render first: if rendering fails, no half-written pair is left behind.
  const html = renderReportHtml(report);
  await writeFileAtomic(paths.json, JSON.stringify(report, null, 2) + '\n');
  await writeFileAtomic(paths.html, html);
  return paths;
}

const HINT = `a scenario report is the report.json a scenario run writes (format "${REPORT_FORMAT}")`;

/** Reads a report.json, checking it is a scenario report of the format this code renders. */
export async function readReport(file: string): Promise<ScenarioReport> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NeonLocalError('not-found', `no report at ${file}`, { hint: HINT, cause: err });
    throw new NeonLocalError('usage', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new NeonLocalError('usage', `${file} is not a scenario report: not JSON (${(err as Error).message})`, { hint: HINT, cause: err });
  }
  const format = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { format?: unknown }).format : undefined;
  if (format === REPORT_FORMAT) return data as ScenarioReport;
  if (typeof format === 'string' && format.startsWith('neon-local-scenario-report/')) {
    throw new NeonLocalError('usage', `${file} is a scenario report of format "${format}"; this version of neon-local reads "${REPORT_FORMAT}"`, {
      hint: 'render it with the neon-local version that wrote it, or re-run the scenario',
    });
  }
  const found = format === undefined ? 'it has no "format" field' : `its format is ${JSON.stringify(format)}`;
  throw new NeonLocalError('usage', `${file} is not a scenario report: ${found}`, { hint: HINT });
}
