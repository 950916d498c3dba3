/**
 * What to register when Entra refuses a GitHub OIDC token with AADSTS70021 ("No matching federated
 * identity record found"): the exact issuer, subject and audience of the presented token, as the
 * parameters file of `az ad app federated-credential create`. Pure; never sees the token itself.
 */

export interface AssertionClaims {
  issuer: string;
  subject: string;
  audience: string;
}

/** Entra names the claims it saw: "Assertion Issuer: '…'. Assertion Subject: '…'. Assertion Audience: '…'." */
export function claimsFromAadsts70021(message: string): AssertionClaims | undefined {
  const claim = (label: string) => new RegExp(`Assertion ${label}: '([^']*)'`).exec(message)?.[1];
  const issuer = claim('Issuer');
  const subject = claim('Subject');
  const audience = claim('Audience');
  return issuer !== undefined && subject !== undefined && audience !== undefined ? { issuer, subject, audience } : undefined;
}

/** A credential name from the subject: 3-120 letters, digits, '-' or '_', starting with a letter or digit. */
export function credentialName(subject: string): string {
  const tail = subject.replace(/^repo:[^/]+\//, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `github-${tail}`.slice(0, 120);
}

/** The body of `credential.json` for `az ad app federated-credential create --id <app> --parameters credential.json`. */
export function federatedCredentialParameters(claims: AssertionClaims): Record<string, unknown> {
  return {
    name: credentialName(claims.subject),
    issuer: claims.issuer,
    subject: claims.subject,
    description: `GitHub Actions: ${claims.subject}`,
    audiences: claims.audience.split(',').map((a) => a.trim()).filter((a) => a),
  };
}

/** The lines printed after an AADSTS70021: what to register, on which app, and how. */
export function federationAdvice(claims: AssertionClaims, clientId: string | undefined): string[] {
  const app = clientId ?? '<client-id>';
  const audiences = federatedCredentialParameters(claims).audiences as string[];
  return [
    `Entra found no federated credential on ${app} for this token. Register one with exactly:`,
    `  issuer:   ${claims.issuer}`,
    `  subject:  ${claims.subject}`,
    `  audience: ${audiences.join(', ')}`,
    `For an app registration: az ad app federated-credential create --id ${app} --parameters credential.json, with credential.json:`,
    JSON.stringify(federatedCredentialParameters(claims), null, 2),
    `For a user-assigned managed identity: az identity federated-credential create --identity-name <identity> --resource-group <group> ` +
      `--name ${credentialName(claims.subject)} --issuer ${claims.issuer} --subject '${claims.subject}' --audiences ${audiences.join(' ')}`,
    `A job with 'environment: NAME' presents 'repo:OWNER/REPO:environment:NAME'; without it, 'repo:OWNER/REPO:ref:refs/heads/BRANCH'.`,
  ];
}
