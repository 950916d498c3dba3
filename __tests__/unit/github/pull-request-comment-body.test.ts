import { planAction, pullRequestCommentBody } from '../../../src/github/pull-request-comment-body';
import { latencyFigures } from '../../../src/smoke-test/latency-probe';
import type { SmokeTestResult } from '../../../src/smoke-test/run-smoke-test';

describe('the pull-request comment', () => {
  it('shows a dry run as what would be created, reused or skipped', () => {
    const body = pullRequestCommentBody({
      ok: true,
      headline: 'dry run: create blue on detector',
      planLines: [
        'model      DetectNet: create version 3 — 4 files, content 0123456789ab',
        'image      acr.azurecr.io/triton-detectnet:abc: reuse (already in the registry)',
        'endpoint   detector: reuse (traffic {"green":100})',
        'deployment blue: create — new content',
        'traffic    {"green":90,"blue":10} -> {"blue":100}',
      ],
      report: { stages: [{ stage: 'dry run', action: 'skip', detail: 'plan printed; nothing changed' }], latency: [] },
    });
    expect(body).toContain('| 🆕 | model | DetectNet: create version 3');
    expect(body).toContain('| ♻️ | image |');
    expect(body).toContain('| ♻️ | endpoint | detector: reuse (traffic {"green":100}) |');
    expect(body).toContain('| 🆕 | deployment | blue: create');
    expect(body).toContain('| 🔀 | traffic |');
    expect(body).not.toContain('plan printed');
  });

  it.each([
    ['blue: recreate — settings changed', 'update'],
    ['none (triton_model: Azure ML\'s curated Triton image)', 'skip'],
    ['unchanged (already serving 100%)', 'reuse'],
  ])('reads %p as %p', (text, action) => {
    expect(planAction(text)).toBe(action);
  });

  it('shows a deploy with its latency, detections and the link to the annotated images', () => {
    const smoke = {
      passed: true, family: 'detectnet_v2', model: 'DetectNet', totalDetections: 1,
      images: [{ image: '/w/street.png', annotatedPng: '/t/street.png.annotated.png', durationMs: 9, topRawScores: [], detections: [{ label: 'car', classId: 0, score: 0.91234, box: { x1: 10.4, y1: 20, x2: 30, y2: 40.6 } }] }],
    } as unknown as SmokeTestResult;
    const body = pullRequestCommentBody({
      ok: true,
      headline: 'blue serves detector',
      report: { stages: [{ stage: 'smoke test', action: 'pass', detail: '1 detection(s) | via blue' }], latency: [{ stage: 'latency', via: 'blue', figures: latencyFigures([10, 20], 40), budgetMs: 15 }] },
      smoke,
      artifact: { state: 'uploaded', artifact: { id: 5, name: 'smoke-test-detector', url: 'https://github.com/o/r/actions/runs/1/artifacts/5', files: ['street.png.annotated.png'], zipBytes: 100 } },
      environmentUrl: 'https://detector.inference.ml.azure.com/score',
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });
    expect(body).toContain('| smoke test | ✅ pass | 1 detection(s) \\| via blue |');
    expect(body).toContain('| latency via blue | 2 | 10.0 ms | 20.0 ms ❌ (budget 15 ms) | 20.0 ms | 50.0/s |');
    expect(body).toContain('| 1 | car | 0.912 | 10, 20, 30, 41 |');
    expect(body).toContain('Annotated images: [artifact smoke-test-detector](https://github.com/o/r/actions/runs/1/artifacts/5)');
    expect(body).toContain('Scoring URI: https://detector.inference.ml.azure.com/score');
    expect(body).toContain('[Workflow run](https://github.com/o/r/actions/runs/1)');
  });
});
