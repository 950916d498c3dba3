/**
 * RS256 JSON Web Tokens (RFC 7519) signed with a key made at start; the JWKS (RFC 7517) is served
 * so clients could verify them. Enough for Entra access tokens, GitHub OIDC tokens and ACR tokens.
 */
import * as crypto from 'crypto';

export type JwtClaims = Record<string, unknown>;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class JwtSigner {
  readonly keyId: string;
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;

  private constructor(keyId: string, privateKey: crypto.KeyObject, publicKey: crypto.KeyObject) {
    this.keyId = keyId;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** Async key generation, so several signers can be made in parallel at start. */
  static async create(keyId: string): Promise<JwtSigner> {
    const { privateKey, publicKey } = await new Promise<crypto.KeyPairKeyObjectResult>((resolve, reject) =>
      crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) =>
        err ? reject(err) : resolve({ publicKey, privateKey }),
      ),
    );
    return new JwtSigner(keyId, privateKey, publicKey);
  }

  sign(claims: JwtClaims): string {
    const header = { typ: 'JWT', alg: 'RS256', kid: this.keyId };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = crypto.sign('sha256', Buffer.from(input), this.privateKey);
    return `${input}.${base64url(signature)}`;
  }

  /** The claims when the signature is ours, otherwise undefined. Expiry is the caller's check. */
  verify(token: string): JwtClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string; kid?: string };
      if (header.alg !== 'RS256' || header.kid !== this.keyId) return undefined;
      const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'));
      if (!ok) return undefined;
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as JwtClaims;
    } catch {
      return undefined;
    }
  }

  jwk(): Record<string, unknown> {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { ...jwk, kid: this.keyId, use: 'sig', alg: 'RS256' };
  }
}

/** Claims of a token without checking its signature (for error messages that echo a rejected assertion). */
export function decodeClaims(token: string): JwtClaims | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    return undefined;
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
