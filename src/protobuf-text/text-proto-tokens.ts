// Lexer for the protobuf text format.
// Spec: https://protobuf.dev/reference/protobuf/textformat-spec/#lexical-elements

export type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** ident/punct: the text; string: the decoded value (adjacent literals joined); number: the literal. */
  text: string;
  /** number only: the parsed value (unsigned; the parser applies '-'). */
  value?: number;
  line: number;
  column: number;
}

/** A lexical error at a position; the parser turns it into a UserInputError. */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const PUNCT = new Set([':', '{', '}', '<', '>', '[', ']', ',', ';', '-', '.', '/']);
const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63,
};
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

/** Splits text into tokens, skipping whitespace and '#' comments. Line and column are 1-based. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const col = (): number => pos - lineStart + 1;

  while (pos < text.length) {
    const c = text[pos];
    if (c === '\n') {
      pos++;
      line++;
      lineStart = pos;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') {
      pos++;
    } else if (c === '#') {
      while (pos < text.length && text[pos] !== '\n') pos++;
    } else if (c === '"' || c === "'") {
      const start = { line, column: col() };
      const value = readString();
      const prev = tokens[tokens.length - 1];
      // Adjacent string literals form one value ("a" 'b' == "ab"), as in C.
      if (prev && prev.kind === 'string') prev.text += value;
      else tokens.push({ kind: 'string', text: value, ...start });
    } else if (isDigit(c) || (c === '.' && isDigit(text[pos + 1] ?? ''))) {
      const start = { line, column: col() };
      const literal = readNumberLiteral();
      tokens.push({ kind: 'number', text: literal, value: numberValue(literal, start), ...start });
    } else if (isIdentStart(c)) {
      const start = col();
      let end = pos + 1;
      while (end < text.length && isIdentPart(text[end])) end++;
      tokens.push({ kind: 'ident', text: text.slice(pos, end), line, column: start });
      pos = end;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line, column: col() });
      pos++;
    } else {
      throw new TokenError(`unexpected character '${c}'`, line, col());
    }
  }
  tokens.push({ kind: 'eof', text: '', line, column: col() });
  return tokens;

  function readString(): string {
    const quote = text[pos];
    const startLine = line;
    const startCol = col();
    pos++;
    const bytes: number[] = [];
    for (;;) {
      if (pos >= text.length || text[pos] === '\n') {
        throw new TokenError(`unterminated string starting here`, startLine, startCol);
      }
      const ch = text[pos];
      if (ch === quote) {
        pos++;
        break;
      }
      if (ch !== '\\') {
        const cp = text.codePointAt(pos) as number;
        const s = String.fromCodePoint(cp);
        bytes.push(...utf8.encode(s));
        pos += s.length;
        continue;
      }
      readEscape(bytes);
    }
    return utf8Decoder.decode(Uint8Array.from(bytes));
  }

  // Escapes: https://protobuf.dev/reference/protobuf/textformat-spec/#string
  function readEscape(bytes: number[]): void {
    const escCol = col();
    const e = text[pos + 1] ?? '';
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      pos += 2;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(pos + 1, pos + 4)) as RegExpExecArray;
      bytes.push(parseInt(m[0], 8) & 0xff);
      pos += 1 + m[0].length;
    } else if (e === 'x' || e === 'X') {
      const m = /^[0-9A-Fa-f]{1,2}/.exec(text.slice(pos + 2, pos + 4));
      if (!m) throw new TokenError(`'\\x' escape needs hex digits`, line, escCol);
      bytes.push(parseInt(m[0], 16));
      pos += 2 + m[0].length;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const hex = text.slice(pos + 2, pos + 2 + n);
      const cp = parseInt(hex, 16);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex) || cp > 0x10ffff) {
        throw new TokenError(`'\\${e}' escape needs ${n} hex digits of a Unicode code point`, line, escCol);
      }
      bytes.push(...utf8.encode(String.fromCodePoint(cp)));
      pos += 2 + n;
    } else {
      throw new TokenError(`unknown escape '\\${e}' in string`, line, escCol);
    }
  }

  // DEC_INT | OCT_INT | HEX_INT | FLOAT, where FLOAT may end in 'f'/'F'.
  function readNumberLiteral(): string {
    const rest = text.slice(pos);
    const m =
      /^0[xX][0-9A-Fa-f]+/.exec(rest) ??
      /^(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?/.exec(rest) ??
      /^[0-9]+[eE][+-]?[0-9]+[fF]?/.exec(rest) ??
      /^[0-9]+[fF]?/.exec(rest);
    const literal = (m as RegExpExecArray)[0];
    const next = text[pos + literal.length] ?? '';
    if (isIdentPart(next) || next === '.') {
      throw new TokenError(`malformed number '${literal}${next}'`, line, col());
    }
    pos += literal.length;
    return literal;
  }
}

function numberValue(literal: string, at: { line: number; column: number }): number {
  if (/^0[xX]/.test(literal)) return parseInt(literal.slice(2), 16);
  if (/^0[0-7]+$/.test(literal)) return parseInt(literal, 8);
  if (/^0[0-9]+$/.test(literal)) {
    throw new TokenError(`malformed octal number '${literal}'`, at.line, at.column);
  }
  return Number(literal.replace(/[fF]$/, ''));
}

/** Is this literal a float in the spec's sense (has '.', an exponent or an 'f' suffix)? */
export function isFloatLiteral(literal: string): boolean {
  return !/^0[xX]/.test(literal) && /[.eEfF]/.test(literal);
}
