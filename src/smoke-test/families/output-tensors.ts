// Finding and checking the tensors a model returned.

import { Tensor, elementCount, tensorValues } from '../tensors';

/** The output named `name` (or `name:0`, TensorFlow style); throws naming what came back. */
export function outputNamed(outputs: readonly Tensor[], name: string): Tensor {
  const t = outputs.find((o) => o.name === name) ?? outputs.find((o) => o.name === `${name}:0`);
  if (!t) {
    throw new Error(`the response has no output '${name}'; it has ${outputs.map((o) => o.name).join(', ') || 'no outputs'}`);
  }
  const count = elementCount(t.shape);
  if (t.data.length !== count) {
    throw new Error(`output '${t.name}' has ${t.data.length} values but its shape [${t.shape.join(',')}] needs ${count}`);
  }
  return t;
}

export function outputValues(outputs: readonly Tensor[], name: string): { tensor: Tensor; values: Float64Array } {
  const tensor = outputNamed(outputs, name);
  return { tensor, values: tensorValues(tensor) };
}

/** Keeps the `k` best of a stream of scored candidates without sorting them all. */
export class TopScores {
  private readonly items: { label: string; score: number }[] = [];

  constructor(private readonly k = 5) {}

  add(label: () => string, score: number): void {
    if (!(score > -Infinity)) return;
    if (this.items.length === this.k && score <= this.items[this.k - 1].score) return;
    this.items.push({ label: label(), score });
    this.items.sort((a, b) => b.score - a.score);
    if (this.items.length > this.k) this.items.pop();
  }

  list(): { label: string; score: number }[] {
    return this.items.slice();
  }
}

export function labelFor(labels: readonly string[], classId: number): string {
  return labels[classId] ?? `class_${classId}`;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
