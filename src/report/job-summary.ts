/**
 * The job summary: the result, a table of what each stage did, the smoke-test artifact's link, and
 * per image its detections and a text sketch of where the boxes are (the summary cannot show the
 * PNGs themselves; see box-sketch.ts).
 */
import * as core from '@actions/core';
import * as fs from 'fs';
import * as path from 'path';
import type { ImageResult, SmokeTestResult } from '../smoke-test/run-smoke-test';
import { describeScoring, ruleFor, type Scoring } from '../smoke-test/score-rule';
import { describeOutcomes, type PreprocessingSearch } from '../smoke-test/preprocessing-search';
import { boxMarker, sketchBoxes } from './box-sketch';
import type { RunReport } from './run-report';
import type { ArtifactUpload } from './smoke-test-artifact';

const ICON: Record<string, string> = { create: '🆕', update: '✏️', reuse: '♻️', skip: '⏭️', delete: '🗑️', keep: '📌', pass: '✅', fail: '❌', shift: '🔀', rollback: '↩️' };

export interface SummaryResult {
  ok: boolean;
  headline: string;
  smoke?: SmokeTestResult;
  error?: string;
  artifact?: ArtifactUpload;
}

export async function writeJobSummary(report: RunReport, result: SummaryResult): Promise<void> {
  const s = core.summary;
  s.addHeading(`${result.ok ? '✅' : '❌'} Triton deploy: ${result.headline}`, 2);
  s.addTable([
    [{ data: 'Stage', header: true }, { data: 'Action', header: true }, { data: 'Detail', header: true }, { data: 'Time', header: true }],
    ...report.stages.map((r) => [r.stage, `${ICON[r.action] ?? ''} ${r.action}`, r.detail, r.durationMs === undefined ? '–' : `${(r.durationMs / 1000).toFixed(1)} s`]),
  ]);
  if (report.latency.length) {
    s.addHeading('Latency (the first smoke-test image, one request at a time)', 3);
    s.addTable([
      ['Measured', 'Via', 'Requests', 'p50', 'p95', 'Max', 'Throughput', 'p95 budget'].map((data) => ({ data, header: true })),
      ...latencyRows(report),
    ]);
  }
  if (report.running.length) {
    s.addHeading('Deployments left running (each bills its instances, even at 0%)', 3);
    s.addTable([
      [{ data: 'Deployment', header: true }, { data: 'Traffic', header: true }, { data: 'Instances', header: true }],
      ...report.running.map((r) => [escapeHtml(r.name), `${r.traffic}%`, escapeHtml(r.instances)]),
    ]);
  }
  const artifactLine = describeArtifact(result.artifact);
  if (artifactLine) s.addRaw(artifactLine, true);
  const uploaded = result.artifact?.state === 'uploaded' ? result.artifact.artifact : undefined;
  if (result.smoke) {
    s.addHeading(`Smoke test: ${result.smoke.passed ? 'passed' : 'failed'} (${result.smoke.family}, model ${result.smoke.model})`, 3);
    const scoring = result.smoke.scoring;
    s.addRaw(`<p>Scores: ${escapeHtml(describeScoring(scoring))}</p>`, true);
    for (const img of result.smoke.images) {
      const png = path.basename(img.annotatedPng);
      const where = uploaded?.files.includes(png)
        ? `<a href="${escapeHtml(uploaded.url)}">${escapeHtml(png)}</a> in artifact ${escapeHtml(uploaded.name)}`
        : `<code>${escapeHtml(img.annotatedPng)}</code>`;
      s.addRaw(`<p><b>${escapeHtml(path.basename(img.image))}</b>: ${img.detections.length} detection(s) in ${img.durationMs} ms; annotated image: ${where}</p>`, true);
      if (img.detections.length > 0) {
        s.addTable([
          [{ data: '#', header: true }, { data: 'Label', header: true }, { data: 'Score', header: true }, { data: 'Kept by', header: true }, { data: 'Box (x1, y1, x2, y2)', header: true }],
          ...detectionRows(img, scoring),
        ]);
        const size = pngSize(img.annotatedPng);
        if (size) {
          s.addDetails(`Where the boxes are in ${escapeHtml(png)} (${size.width} × ${size.height}; each box drawn with its # from the table)`, `<pre>${sketchBoxes(size, img.detections)}</pre>`);
        }
      } else {
        s.addRaw(`<p>Highest ${escapeHtml(scoring.rawMeaning)}: ${img.topRawScores.map((t) => `${escapeHtml(t.label)} ${t.score.toFixed(3)}`).join(', ') || 'none'}</p>`, true);
      }
      if (img.preprocessingSearch) s.addRaw(describePreprocessingSearch(img.preprocessingSearch), true);
    }
  }
  if (result.error) s.addDetails('Error', `<pre>${escapeHtml(result.error)}</pre>`);
  if (report.created.length && !result.ok) s.addDetails('Created by this run', report.created.map(escapeHtml).join('<br>'));
  await s.write();
}

/** One row per latency measurement; a p95 over budget is marked ❌. */
export function latencyRows(report: Pick<RunReport, 'latency'>): string[][] {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return report.latency.map(({ stage, via, figures: f, budgetMs }) => [
    escapeHtml(stage),
    escapeHtml(via),
    f.requests < f.asked ? `${f.requests} of ${f.asked} (time limit)` : String(f.requests),
    ms(f.p50Ms),
    `${budgetMs !== undefined && f.p95Ms > budgetMs ? '❌ ' : ''}${ms(f.p95Ms)}`,
    ms(f.maxMs),
    `${f.throughputPerSecond.toFixed(1)}/s`,
    budgetMs === undefined ? '–' : `${budgetMs} ms`,
  ]);
}

/** Table rows of an image's detections: each score with its meaning, and the threshold that kept it. */
export function detectionRows(img: ImageResult, scoring: Scoring): string[][] {
  return img.detections.map((d, i) => {
    const rule = ruleFor(scoring, d.label);
    const meaning = rule && rule.meaning !== 'score' ? ` (${rule.meaning})` : '';
    const keptBy = rule ? `${rule.comparison} ${rule.threshold}, ${rule.origin}` : '';
    const box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map((v) => Math.round(v)).join(', ');
    return [boxMarker(i), escapeHtml(d.label), `${d.score.toFixed(3)}${escapeHtml(meaning)}`, escapeHtml(keptBy), box];
  });
}

/** What the other Custom Vision preprocessings found, and the input to set when one works. */
export function describePreprocessingSearch(search: PreprocessingSearch): string {
  const fix = search.working ? ` <b>Set <code>custom-vision-preprocessing: ${escapeHtml(search.working.preprocessing)}</code></b>.` : '';
  return `<p>Sent as <code>${escapeHtml(search.configured)}</code> (${search.configuredFrom}); other preprocessings find: ${escapeHtml(describeOutcomes(search.tried))}.${fix}</p>`;
}

/** One line about the artifact; nothing when it was skipped (not on GitHub: the paths are local then). */
export function describeArtifact(upload: ArtifactUpload | undefined): string | undefined {
  if (upload?.state === 'uploaded') {
    const a = upload.artifact;
    const images = a.files.filter((f) => f.endsWith('.png')).length;
    const contents = [images ? `${images} annotated image(s)` : '', a.files.includes('plan.json') ? 'plan.json' : ''].filter(Boolean).join(' and ');
    return `<p>📦 Artifact <a href="${escapeHtml(a.url)}"><b>${escapeHtml(a.name)}</b></a>: ${contents}, ${(a.zipBytes / 1024).toFixed(0)} KiB zipped.</p>`;
  }
  if (upload?.state === 'failed') {
    return `<p>⚠️ The annotated images and plan were not uploaded as an artifact (${escapeHtml(upload.reason)}); they are in <code>${escapeHtml(upload.dir)}</code> on the runner.</p>`;
  }
  return undefined;
}

/** Width and height from a PNG's IHDR chunk (PNG spec 11.2.2: bytes 16-23 of the file). */
export function pngSize(file: string): { width: number; height: number } | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(24);
    try {
      fs.readSync(fd, head, 0, 24, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  } catch {
    return undefined;
  }
}

function escapeHtml(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
