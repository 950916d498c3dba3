/** The job summary: the result, a table of what each stage did, and the smoke test's detections. */
import * as core from '@actions/core';
import * as path from 'path';
import type { SmokeTestResult } from '../smoke-test/run-smoke-test';
import type { RunReport } from './run-report';

const ICON: Record<string, string> = { create: '🆕', update: '✏️', reuse: '♻️', skip: '⏭️', delete: '🗑️', keep: '📌', pass: '✅', fail: '❌', shift: '🔀' };

export async function writeJobSummary(report: RunReport, result: { ok: boolean; headline: string; smoke?: SmokeTestResult; error?: string }): Promise<void> {
  const s = core.summary;
  s.addHeading(`${result.ok ? '✅' : '❌'} Triton deploy: ${result.headline}`, 2);
  s.addTable([
    [{ data: 'Stage', header: true }, { data: 'Action', header: true }, { data: 'Detail', header: true }, { data: 'Time', header: true }],
    ...report.stages.map((r) => [r.stage, `${ICON[r.action] ?? ''} ${r.action}`, r.detail, r.durationMs === undefined ? '–' : `${(r.durationMs / 1000).toFixed(1)} s`]),
  ]);
  if (result.smoke) {
    s.addHeading(`Smoke test: ${result.smoke.passed ? 'passed' : 'failed'} (${result.smoke.family}, model ${result.smoke.model})`, 3);
    for (const img of result.smoke.images) {
      s.addRaw(`<p><b>${path.basename(img.image)}</b>: ${img.detections.length} detection(s) in ${img.durationMs} ms; annotated image: <code>${img.annotatedPng}</code></p>`, true);
      if (img.detections.length > 0) {
        s.addTable([
          [{ data: 'Label', header: true }, { data: 'Score', header: true }, { data: 'Box (x1, y1, x2, y2)', header: true }],
          ...img.detections.map((d) => [d.label, d.score.toFixed(3), [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map((v) => Math.round(v)).join(', ')]),
        ]);
      } else {
        s.addRaw(`<p>Highest raw scores: ${img.topRawScores.map((t) => `${t.label} ${t.score.toFixed(3)}`).join(', ') || 'none'}</p>`, true);
      }
    }
  }
  if (result.error) s.addDetails('Error', `<pre>${escapeHtml(result.error)}</pre>`);
  if (report.created.length && !result.ok) s.addDetails('Created by this run', report.created.map(escapeHtml).join('<br>'));
  await s.write();
}

function escapeHtml(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
