import { claimsFromAadsts70021, credentialName, federatedCredentialParameters, federationAdvice } from '../../../src/azure/federated-credential-advice';

// As @azure/identity surfaces Entra's error_description (one line, with trace ids after it).
const entraMessage =
  "ClientAssertionCredential authentication failed. AADSTS70021: No matching federated identity record found for presented assertion. " +
  "Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:octo-org/detector-models:ref:refs/heads/main'. " +
  "Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: 1 Correlation ID: 2";

describe('AADSTS70021 advice', () => {
  it('reads the issuer, subject and audience Entra saw', () => {
    expect(claimsFromAadsts70021(entraMessage)).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:octo-org/detector-models:ref:refs/heads/main',
      audience: 'api://AzureADTokenExchange',
    });
  });

  it('finds nothing in another error', () => {
    expect(claimsFromAadsts70021('AADSTS7000215: Invalid client secret provided.')).toBeUndefined();
  });

  it('prints a credential.json that registers exactly the presented token', () => {
    const claims = { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/detector-models:environment:production', audience: 'api://AzureADTokenExchange' };
    const lines = federationAdvice(claims, '11111111-2222-3333-4444-555555555555');
    const text = lines.join('\n');
    expect(text).toContain('az ad app federated-credential create --id 11111111-2222-3333-4444-555555555555 --parameters credential.json');
    expect(lines).toContain('  subject:  repo:octo-org/detector-models:environment:production');
    expect(lines).toContain('  issuer:   https://token.actions.githubusercontent.com');
    const json = JSON.parse(lines[lines.findIndex((l) => l.startsWith('{'))]) as Record<string, unknown>;
    expect(json).toEqual({
      name: 'github-detector-models-environment-production',
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:octo-org/detector-models:environment:production',
      description: 'GitHub Actions: repo:octo-org/detector-models:environment:production',
      audiences: ['api://AzureADTokenExchange'],
    });
  });

  it('makes a credential name Entra accepts from any subject', () => {
    expect(credentialName('repo:octo-org/detector-models:ref:refs/heads/main')).toBe('github-detector-models-ref-refs-heads-main');
    expect(credentialName(`repo:o/${'x'.repeat(200)}`)).toHaveLength(120);
    expect(federatedCredentialParameters({ issuer: 'i', subject: 's', audience: 'a, b' }).audiences).toEqual(['a', 'b']);
  });
});
