/**
 * .dockerignore as Docker reads it (moby/patternmatcher, buildkit frontend/dockerfile/dockerignore):
 * one pattern a line, '#' lines are comments, '!' re-includes, patterns are cleaned paths relative
 * to the context root (a leading '/' is dropped, and unlike .gitignore a bare name matches only at
 * the root), '*' and '?' stop at '/', '**' spans directories, and a pattern that matches a directory
 * excludes everything under it. The last matching pattern wins.
 * Docs: https://docs.docker.com/build/concepts/context/#dockerignore-files
 */
import * as path from 'path';

export interface IgnorePattern {
  text: string;
  exclusion: boolean;
  regex: RegExp;
}

/** Go's filepath.Match syntax plus '**', as a regex over '/'-separated paths. */
function toRegex(pattern: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // '**/' matches zero or more directories; a trailing or inner '**' anything.
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      out += pattern[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${out}$`);
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    let line = raw.trim();
    if (!line) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    if (!line) continue;
    let cleaned = path.posix.normalize(line.replace(/\\(?![*?[\]\\])/g, '/'));
    if (cleaned.length > 1 && cleaned.startsWith('/')) cleaned = cleaned.replace(/^\/+/, '');
    if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
    patterns.push({ text: cleaned, exclusion, regex: toRegex(cleaned) });
  }
  return patterns;
}

/** True when the '/'-separated path (relative to the context root) is left out of the context. */
export function isIgnored(relPath: string, patterns: readonly IgnorePattern[]): boolean {
  const file = path.posix.normalize(relPath);
  const parents: string[] = [];
  const parts = file.split('/');
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  let ignored = false;
  for (const p of patterns) {
    // A pattern that matches a parent directory matches everything under it (MatchesOrParentMatches).
    const match = p.regex.test(file) || parents.some((d) => p.regex.test(d));
    if (match) ignored = !p.exclusion;
  }
  return ignored;
}
