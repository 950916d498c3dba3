// Schema-less parser for the protobuf text format (config.pbtxt, TAO clustering .prototxt).
// Grammar: https://protobuf.dev/reference/protobuf/textformat-spec/#syntax
// Without the .proto schema, `t`/`f` stay enum identifiers (check-fields.ts accepts them for
// bools) and integers are JS numbers (exact up to 2^53).

import { UserInputError } from '../errors';
import { Token, TokenError, tokenize } from './text-proto-tokens';

export type TextProtoValue = string | number | boolean | TextProtoEnum | TextProtoMessage;

/** An identifier value such as TYPE_FP32 or KIND_GPU. */
export interface TextProtoEnum {
  enum: string;
}

/**
 * One `name: value` occurrence. A list `name: [a, b]` yields one field per element, in order;
 * a list element's line/column is the element's own position, otherwise the field name's.
 */
export interface TextProtoField {
  name: string;
  value: TextProtoValue;
  line: number;
  column: number;
}

/** A message: its fields in source order; line/column of its opening '{' or '<' (1:1 for the file). */
export interface TextProtoMessage {
  fields: TextProtoField[];
  line: number;
  column: number;
}

/** Deeper nesting than any real config; past it the file is refused instead of exhausting the stack. */
export const MAX_MESSAGE_DEPTH = 100;

const BOOLS: Record<string, boolean> = { true: true, True: true, false: false, False: false };
const SPECIAL_FLOATS: Record<string, number> = { inf: Infinity, infinity: Infinity, nan: NaN };

export function isTextProtoMessage(v: TextProtoValue): v is TextProtoMessage {
  return typeof v === 'object' && 'fields' in v;
}

export function isTextProtoEnum(v: TextProtoValue): v is TextProtoEnum {
  return typeof v === 'object' && 'enum' in v;
}

/** All occurrences of a field, in source order (a repeated field or a list gives several). */
export function fieldsNamed(msg: TextProtoMessage, name: string): TextProtoField[] {
  return msg.fields.filter((f) => f.name === name);
}

/**
 * Parses a whole text-format file into its root message.
 * @throws UserInputError with { file, line, column }, message "file:line:col: what was expected".
 */
export function parseTextProto(text: string, file: string): TextProtoMessage {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof TokenError) throw located(file, e.line, e.column, e.message);
    throw e;
  }
  return new TextProtoParser(tokens, file).parseFile();
}

function located(file: string, line: number, column: number, message: string): UserInputError {
  return new UserInputError(`${file}:${line}:${column}: ${message}`, { file, line, column });
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'string') return JSON.stringify(t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text);
  return `'${t.text}'`;
}

class TextProtoParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  parseFile(): TextProtoMessage {
    const root: TextProtoMessage = { fields: [], line: 1, column: 1 };
    this.parseFields(root, undefined);
    return root;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private isPunct(text: string): boolean {
    return this.peek().kind === 'punct' && this.peek().text === text;
  }

  private fail(message: string, at: Token = this.peek()): never {
    throw located(this.file, at.line, at.column, message);
  }

  /** Fields until `closer` (or end of file for the root), each optionally followed by ',' or ';'. */
  private parseFields(msg: TextProtoMessage, closer: string | undefined): void {
    for (;;) {
      if (closer === undefined ? this.peek().kind === 'eof' : this.isPunct(closer)) return;
      if (closer !== undefined && (this.peek().kind === 'eof' || this.isPunct('}') || this.isPunct('>'))) {
        this.fail(`expected '${closer}' to close the message opened at line ${msg.line}, found ${describe(this.peek())}`);
      }
      this.parseField(msg);
      if (this.isPunct(',') || this.isPunct(';')) this.pos++;
    }
  }

  private parseField(msg: TextProtoMessage): void {
    const nameTok = this.peek();
    const name = this.parseFieldName();
    const push = (value: TextProtoValue, at: Token): void => {
      msg.fields.push({ name, value, line: at.line, column: at.column });
    };
    if (this.isPunct(':')) {
      this.pos++;
      if (this.isPunct('[')) this.parseList(name, true, push);
      else push(this.isPunct('{') || this.isPunct('<') ? this.parseMessage() : this.parseScalar(name), nameTok);
    } else if (this.isPunct('{') || this.isPunct('<')) {
      push(this.parseMessage(), nameTok);
    } else if (this.isPunct('[')) {
      this.parseList(name, false, push);
    } else {
      this.fail(`expected ':' or '{' after field name '${name}', found ${describe(this.peek())}`);
    }
  }

  /** `ident`, or an extension / Any type URL in brackets: `[pkg.ext]`, `[type.googleapis.com/pkg.Msg]`. */
  private parseFieldName(): string {
    if (this.peek().kind === 'ident') return this.tokens[this.pos++].text;
    if (!this.isPunct('[')) this.fail(`expected a field name, found ${describe(this.peek())}`);
    this.pos++;
    let name = '[';
    while (this.peek().kind === 'ident' || this.isPunct('.') || this.isPunct('/')) name += this.tokens[this.pos++].text;
    if (!this.isPunct(']') || name === '[') this.fail(`expected an extension name and ']', found ${describe(this.peek())}`);
    this.pos++;
    return `${name}]`;
  }

  /**
   * `[a, b]` or `[{...}, {...}]`. Without a ':' before '[' only messages may follow (the spec's
   * MessageList); a scalar there means the ':' was forgotten, so point at the '['.
   */
  private parseList(name: string, colon: boolean, push: (v: TextProtoValue, at: Token) => void): void {
    const open = this.peek();
    this.pos++;
    let kind: 'message' | 'scalar' | undefined;
    while (!this.isPunct(']')) {
      const at = this.peek();
      const isMsg = this.isPunct('{') || this.isPunct('<');
      if (!isMsg && !colon) this.fail(`expected ':' or '{' after field name '${name}', found '['`, open);
      if (kind !== undefined && kind !== (isMsg ? 'message' : 'scalar')) {
        this.fail(`list '${name}' mixes messages and scalar values`, at);
      }
      kind = isMsg ? 'message' : 'scalar';
      push(isMsg ? this.parseMessage() : this.parseScalar(name), at);
      if (this.isPunct(',')) this.pos++;
      else if (!this.isPunct(']')) this.fail(`expected ',' or ']' in list '${name}' opened at line ${open.line}, found ${describe(this.peek())}`);
    }
    this.pos++;
  }

  private parseMessage(): TextProtoMessage {
    const open = this.tokens[this.pos];
    if (++this.depth > MAX_MESSAGE_DEPTH) this.fail(`messages are nested more than ${MAX_MESSAGE_DEPTH} deep`, open);
    this.pos++;
    const msg: TextProtoMessage = { fields: [], line: open.line, column: open.column };
    const closer = open.text === '{' ? '}' : '>';
    this.parseFields(msg, closer);
    this.pos++;
    this.depth--;
    return msg;
  }

  private parseScalar(name: string): TextProtoValue {
    const t = this.peek();
    if (t.kind === 'string') {
      this.pos++;
      return t.text;
    }
    const negative = this.isPunct('-');
    if (negative) this.pos++;
    const v = this.peek();
    if (v.kind === 'number') {
      this.pos++;
      return negative ? -(v.value as number) : (v.value as number);
    }
    if (v.kind === 'ident') {
      const special = SPECIAL_FLOATS[v.text.toLowerCase()];
      if (special !== undefined) {
        this.pos++;
        return negative ? -special : special;
      }
      if (!negative) {
        this.pos++;
        return v.text in BOOLS ? BOOLS[v.text] : { enum: v.text };
      }
    }
    return this.fail(
      negative
        ? `expected a number after '-' in field '${name}', found ${describe(v)}`
        : `expected a value for field '${name}', found ${describe(v)}`,
      v,
    );
  }
}
