/**
 * The pull-request comment's Markdown: the plan of a dry run (what would be created, reused or
 * skipped), or a real deploy's stages, latency, and detections with a link to the annotated images.
 */
import * as path from 'path';
import type { ArtifactUpload } from '../report/smoke-test-artifact';
import type { RunReport } from '../report/run-report';
import type { SmokeTestResult } from '../smoke-test/run-smoke-test';

export interface CommentContent {
  ok: boolean;
  headline: string;
  /** Dry run: describePlan's lines ("model      name: create version 3 — ..."). */
  planLines?: string[];
  report: Pick<RunReport, 'stages' | 'latency'>;
  smoke?: SmokeTestResult;
  artifact?: ArtifactUpload;
  environmentUrl?: string;
  runUrl?: string;
  error?: string;
}

/** GitHub refuses comment bodies over 65536 characters. */
const MAX_BODY = 60_000;
const ICON: Record<string, string> = { create: '🆕', update: '✏️', reuse: '♻️', skip: '⏭️', delete: '🗑️', keep: '📌', pass: '✅', fail: '❌', shift: '🔀', rollback: '↩️' };

export function pullRequestCommentBody(c: CommentContent): string {
  const out: string[] = [`### ${c.ok ? '✅' : '❌'} Triton deploy: ${inline(c.headline)}`, ''];
  if (c.planLines) {
    out.push('What a deploy of this commit would do (dry run: nothing changed):', '', '| | Item | Plan |', '|---|---|---|');
    for (const line of c.planLines) {
      const [, item, text] = /^(\S+)\s+(.*)$/.exec(line) ?? [, '', line];
      out.push(`| ${ICON[planAction(text)]} | ${cell(item)} | ${cell(text)} |`);
    }
    out.push('');
  }
  const stages = c.report.stages.filter((s) => !(c.planLines && s.stage === 'dry run'));
  if (stages.length) {
    out.push('| Stage | Action | Detail |', '|---|---|---|');
    for (const s of stages) out.push(`| ${cell(s.stage)} | ${ICON[s.action] ?? ''} ${s.action} | ${cell(s.detail)} |`);
    out.push('');
  }
  if (c.environmentUrl) out.push(`Scoring URI: ${c.environmentUrl}`, '');
  if (c.report.latency.length) {
    out.push('| Latency | Requests | p50 | p95 | Max | Throughput |', '|---|---|---|---|---|---|');
    for (const l of c.report.latency) {
      const f = l.figures;
      const over = l.budgetMs !== undefined && f.p95Ms > l.budgetMs ? ` ❌ (budget ${l.budgetMs} ms)` : '';
      out.push(`| ${cell(l.stage)} via ${cell(l.via)} | ${f.requests} | ${f.p50Ms.toFixed(1)} ms | ${f.p95Ms.toFixed(1)} ms${over} | ${f.maxMs.toFixed(1)} ms | ${f.throughputPerSecond.toFixed(1)}/s |`);
    }
    out.push('');
  }
  if (c.smoke) out.push(...detections(c.smoke, c.artifact));
  if (c.error) out.push('<details><summary>Error</summary>', '', '```', c.error.replace(/```/g, "'''"), '```', '</details>', '');
  if (c.runUrl) out.push(`[Workflow run](${c.runUrl})`);
  const body = out.join('\n');
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY)}\n\n… (cut; the job summary has it all)`;
}

function detections(smoke: SmokeTestResult, artifact: ArtifactUpload | undefined): string[] {
  const uploaded = artifact?.state === 'uploaded' ? artifact.artifact : undefined;
  const out = [`#### Smoke test: ${smoke.passed ? 'passed' : 'failed'} (${smoke.family}, model ${inline(smoke.model)})`, ''];
  out.push(uploaded ? `Annotated images: [artifact ${inline(uploaded.name)}](${uploaded.url})` : 'Annotated images: on the runner only (no artifact was uploaded).', '');
  for (const img of smoke.images) {
    out.push(`**${inline(path.basename(img.image))}**: ${img.detections.length} detection(s)`, '');
    if (!img.detections.length) continue;
    out.push('| # | Label | Score | Box (x1, y1, x2, y2) |', '|---|---|---|---|');
    img.detections.slice(0, 50).forEach((d, i) => {
      const box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map((v) => Math.round(v)).join(', ');
      out.push(`| ${i + 1} | ${cell(d.label)} | ${d.score.toFixed(3)} | ${box} |`);
    });
    if (img.detections.length > 50) out.push(`| … | ${img.detections.length - 50} more | | |`);
    out.push('');
  }
  return out;
}

/** What a describePlan line's text says will happen. */
export function planAction(text: string): 'create' | 'update' | 'reuse' | 'skip' | 'shift' {
  if (/->/.test(text) || text.startsWith('{')) return 'shift';
  if (/^(create|build)/i.test(text)) return 'create';
  if (/^recreate/i.test(text)) return 'update';
  if (/^(reuse|unchanged)/i.test(text) || /: reuse/i.test(text)) return 'reuse';
  if (/: (create|build)/i.test(text)) return 'create';
  if (/: recreate/i.test(text)) return 'update';
  return 'skip';
}

function cell(t: string): string {
  return inline(t).replace(/\|/g, '\\|');
}

function inline(t: string): string {
  return t.replace(/\r?\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
